/**
 * The pieces every row of `npm run bench` shares: what a row reports, the goal it is judged
 * against, and interleaved timing (A B C A B C …, so a busy neighbour slows every contender of a
 * row alike and the ratios stay meaningful on a noisy machine).
 */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const VENV_PYTHON = join(ROOT, '.cache/py-venv/bin/python')
export const BENCH_NODE = join(ROOT, '.cache/bench-node')

export interface Goal {
  /** `>=`: the ratio must reach `target`; `<=`: it must stay under it. */
  readonly op: '>=' | '<='
  readonly target: number
  /** How the goal reads in the table, e.g. "≥ 5×" or "≤ 50 ms". */
  readonly text: string
}

export interface RowResult {
  /** Stable id (`--only` matches it, latest.json keys on it). */
  readonly id: string
  readonly label: string
  readonly goal: Goal
  /** The figure the goal is about (a ratio, ms, KB or events/s); null when the row was skipped. */
  readonly value: number | null
  readonly unit: string
  /** The measurements behind it (medians, p95s, sizes), all finite. */
  readonly figures: Record<string, number>
  /** Why it was skipped, or what the figure means when it is not obvious. */
  readonly note?: string
  /** Why it could not be measured (the run reports ERROR and exits 1). */
  readonly error?: string
}

export interface BenchContext {
  readonly quick: boolean
  /** A folder of its own for the row's stores (removed afterwards). */
  readonly folder: string
  readonly log: (line: string) => void
}

/** One group of rows that share setup (e.g. the replay rows share the built stores). */
export interface BenchModule {
  readonly name: string
  /** The row ids it produces, so `--only` can select a module by any of them. */
  readonly rows: readonly string[]
  run(ctx: BenchContext): Promise<RowResult[]>
}

export const passOf = (row: RowResult): boolean | null =>
  row.value === null || row.error !== undefined
    ? null
    : row.goal.op === '>='
      ? row.value >= row.goal.target
      : row.value <= row.goal.target

export const atLeast = (target: number, text: string): Goal => ({ op: '>=', target, text })
export const atMost = (target: number, text: string): Goal => ({ op: '<=', target, text })

export function skipped(
  id: string,
  label: string,
  goal: Goal,
  unit: string,
  why: string,
): RowResult {
  return { id, label, goal, value: null, unit, figures: {}, note: `skipped: ${why}` }
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export const round = (n: number, digits = 2): number => Number(n.toFixed(digits))

const gc = (globalThis as { gc?: () => void }).gc

export async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = process.hrtime.bigint()
  await fn()
  return Number(process.hrtime.bigint() - t0) / 1e6
}

export interface Contender {
  readonly key: string
  /** One timed run in ms (a contender may time itself, e.g. inside another process). */
  run(): Promise<number>
}

/**
 * Runs every contender once per round, in the same order, `warmup` rounds unrecorded; returns
 * each contender's recorded times. gc() before each run when node has --expose-gc.
 */
export async function interleave(
  contenders: readonly Contender[],
  rounds: number,
  warmup: number,
  progress?: (round: number) => void,
): Promise<Map<string, number[]>> {
  const times = new Map(contenders.map((c) => [c.key, [] as number[]]))
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of contenders) {
      gc?.()
      const ms = await c.run()
      if (!Number.isFinite(ms)) throw new Error(`${c.key}: not a finite time (${ms})`)
      if (r >= warmup) times.get(c.key)!.push(ms)
    }
    progress?.(r + 1)
  }
  return times
}
