/**
 * Where a time-travel answer's time goes (issue 10), for measuring only: with
 * EVENTSCOPE_TIMING_LOG=<file> each getAggregate appends one JSON line (its phases in ms) to
 * that file; unset, nothing is timed or written. A diagnostic, not a setting: read here once.
 *
 * Each line also says how much of each phase the main thread spent in garbage collection
 * (`gcMs`): a pause lands in whichever phase allocates when the heap fills, so a phase's own
 * cost and the cost of what came before it (a decoded multi-MB state) can be told apart.
 */
import { appendFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'

const LOG = process.env['EVENTSCOPE_TIMING_LOG'] || undefined

/** GC pauses are reported a little after they end: the line waits this long for them. */
const GC_REPORT_DELAY_MS = 50
/** Pauses older than this are dropped (no answer is measured over so long a span). */
const GC_KEEP_MS = 120_000

interface Span {
  readonly start: number
  readonly end: number
}

/** Recent GC pauses of this process (observed only when a log is set). */
const gcPauses: Span[] = []
let gcObserver: PerformanceObserver | undefined

function observeGc(): void {
  if (gcObserver) return
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcPauses.push({ start: e.startTime, end: e.startTime + e.duration })
    const oldest = performance.now() - GC_KEEP_MS
    while (gcPauses.length > 0 && gcPauses[0]!.end < oldest) gcPauses.shift()
  })
  gcObserver.observe({ entryTypes: ['gc'] })
}

function gcWithin(span: Span): number {
  let ms = 0
  for (const p of gcPauses)
    ms += Math.max(0, Math.min(p.end, span.end) - Math.max(p.start, span.start))
  return ms
}

export class AnswerTiming {
  private readonly began = performance.now()
  private last = this.began
  private readonly phases: Record<string, number> = {}
  private readonly spans: Array<Span & { readonly phase: string }> = []

  /** Adds the time since the previous mark (or the start) to `phase`. */
  mark(phase: string): void {
    const now = performance.now()
    this.phases[phase] = (this.phases[phase] ?? 0) + (now - this.last)
    this.spans.push({ phase, start: this.last, end: now })
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
    const total = { start: this.began, end: performance.now() }
    const line = { ...fields, totalMs: round(total.end - total.start), ...phases }
    // The GC entries of the last few ms arrive after this call: the line is written once they
    // have (a diagnostic may be late; the answer is not).
    setTimeout(() => {
      const gcMs: Record<string, number> = { total: round(gcWithin(total)) }
      for (const s of this.spans) gcMs[s.phase] = round((gcMs[s.phase] ?? 0) + gcWithin(s))
      appendFileSync(LOG, `${JSON.stringify({ ...line, gcMs })}\n`)
    }, GC_REPORT_DELAY_MS).unref()
  }
}

/** A timer when EVENTSCOPE_TIMING_LOG is set, else undefined (callers use `?.`). */
export function answerTiming(): AnswerTiming | undefined {
  if (!LOG) return undefined
  observeGc()
  return new AnswerTiming()
}
