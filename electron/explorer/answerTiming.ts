/**
 * Where a time-travel answer's time goes (issue 10), for measuring only: with
 * EVENTSCOPE_TIMING_LOG=<file> each getAggregate appends one JSON line (its phases in ms) to
 * that file; unset, nothing is timed or written. A diagnostic, not a setting: read here once.
 */
import { appendFileSync } from 'node:fs'

const LOG = process.env['EVENTSCOPE_TIMING_LOG'] || undefined

export class AnswerTiming {
  private readonly began = performance.now()
  private last = this.began
  private readonly phases: Record<string, number> = {}

  /** Adds the time since the previous mark (or the start) to `phase`. */
  mark(phase: string): void {
    const now = performance.now()
    this.phases[phase] = (this.phases[phase] ?? 0) + (now - this.last)
    this.last = now
  }

  /** Adds a duration measured elsewhere (and not to the next mark's phase). */
  add(phase: string, ms: number): void {
    this.phases[phase] = (this.phases[phase] ?? 0) + ms
  }

  write(fields: Record<string, unknown>): void {
    if (!LOG) return
    const round = (n: number) => Math.round(n * 10) / 10
    const phases = Object.fromEntries(Object.entries(this.phases).map(([k, v]) => [k, round(v)]))
    const line = { ...fields, totalMs: round(performance.now() - this.began), ...phases }
    appendFileSync(LOG, `${JSON.stringify(line)}\n`)
  }
}

/** A timer when EVENTSCOPE_TIMING_LOG is set, else undefined (callers use `?.`). */
export function answerTiming(): AnswerTiming | undefined {
  return LOG ? new AnswerTiming() : undefined
}
