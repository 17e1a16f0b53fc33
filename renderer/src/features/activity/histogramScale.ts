/** The activity histogram's scales: whole-number y ticks and which buckets get an x label. */
import { spanTickFormat, type TimeZoneMode } from '../../lib/format'
import type { ActivityBucket } from '../../../../shared/contract'

/**
 * Round y ticks from 0 to the first tick at or above `max`: steps of 1, 2 or 5 times a power of
 * ten, at least 1 (counts are whole), about four of them.
 */
export function yTicks(max: number): number[] {
  if (!(max > 0)) return [0, 1]
  const rough = max / 4
  const power = 10 ** Math.floor(Math.log10(rough))
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 1)
  const top = Math.ceil(max / step) * step
  const ticks: number[] = []
  for (let tick = 0; tick <= top; tick += step) ticks.push(tick)
  return ticks
}

/**
 * The buckets whose start is written under the axis: at most `count`, spread evenly and kept
 * off the edges, so that no label runs out of the chart or into its neighbour.
 */
export function labelIndices(buckets: number, count = 5): number[] {
  const shown = Math.min(count, buckets)
  const indices: number[] = []
  for (let j = 0; j < shown; j++) indices.push(Math.floor(((j + 0.5) * buckets) / shown))
  return indices
}

/** Tick labels that distinguish the buckets of this span, 24-hour like the rest of the app. */
export function tickFormat(
  buckets: readonly ActivityBucket[],
  timezone: TimeZoneMode,
): (at: string) => string {
  const first = buckets[0]
  const last = buckets[buckets.length - 1]
  const span = first && last ? Date.parse(last.start) - Date.parse(first.start) : 0
  const bucketMs = buckets.length > 1 ? span / (buckets.length - 1) : 0
  return spanTickFormat(span, bucketMs, timezone)
}
