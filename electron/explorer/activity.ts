/** The activity chart: events counted into round-sized time buckets. */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import * as reads from './historyReads'
import type { QueryContext } from './queries'

/** How many recent log entries (or one aggregate's newest events) the chart counts. */
const ACTIVITY_SAMPLE = 10_000
const ACTIVITY_PAGE = 1000

const NICE_WIDTHS_MS = [
  1,
  10,
  100,
  1000,
  5000,
  10_000,
  30_000,
  60_000,
  5 * 60_000,
  10 * 60_000,
  30 * 60_000,
  3600_000,
  3 * 3600_000,
  6 * 3600_000,
  12 * 3600_000,
  86_400_000,
  7 * 86_400_000,
  30 * 86_400_000,
  365 * 86_400_000,
]

/** Counts events into at most `count` equal, round-sized time buckets (empty ones included). */
export function bucketize(
  points: ReadonlyArray<{ at: number; events: number }>,
  count: number,
): { buckets: Array<{ start: string; events: number }>; total: number } {
  if (points.length === 0) return { buckets: [], total: 0 }
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const p of points) {
    if (p.at < min) min = p.at
    if (p.at > max) max = p.at
  }
  let width = 0
  let start = min
  let n = 0
  for (const w of NICE_WIDTHS_MS) {
    const s = Math.floor(min / w) * w
    const k = Math.floor((max - s) / w) + 1
    if (k <= count) {
      width = w
      start = s
      n = k
      break
    }
  }
  if (width === 0) {
    width = Math.ceil((max - min + 1) / count)
    start = min
    n = Math.floor((max - start) / width) + 1
  }
  const counts = new Array<number>(n).fill(0)
  let total = 0
  for (const p of points) {
    const i = Math.min(n - 1, Math.floor((p.at - start) / width))
    counts[i] = (counts[i] ?? 0) + p.events
    total += p.events
  }
  return {
    buckets: counts.map((events, i) => ({
      start: new Date(start + i * width).toISOString(),
      events,
    })),
    total,
  }
}

/** The getActivity query (queries.ts has the others). */
export async function getActivity(
  ctx: QueryContext,
  { id, buckets }: ParsedRequestOf<'getActivity'>,
): Promise<ResponseOf<'getActivity'>> {
  const c = ctx.conn()
  const points: Array<{ at: number; events: number }> = []
  let sampled: boolean
  if (id === undefined) {
    const entries = await c.app.log.read({ desc: true, limit: ACTIVITY_SAMPLE + 1 })
    sampled = entries.length > ACTIVITY_SAMPLE
    for (const e of entries.slice(0, ACTIVITY_SAMPLE)) {
      points.push({ at: e.recordedAt.getTime(), events: e.toVersion - e.fromVersion + 1 })
    }
  } else {
    const latest = await reads.latestRecord(c, id)
    const first = Math.max(0, latest.originatorVersion - ACTIVITY_SAMPLE + 1)
    sampled = first > 0
    for await (const page of c.app.eventPages(id, {
      gt: first - 1,
      pageSize: ACTIVITY_PAGE,
    })) {
      for (const event of page) points.push({ at: event.timestamp.getTime(), events: 1 })
    }
  }
  return { ...bucketize(points, buckets), sampled }
}
