/**
 * The one place where the renderer turns instants into text. Every time goes through
 * Intl.DateTimeFormat with a 24-hour clock and honours the Local/UTC choice, so the list, the
 * timeline, the live pill and the state tree read alike.
 */
import type { JsonValue } from '../../../shared/contract'
import { displayText } from './displayText'

export type TimeZoneMode = 'local' | 'utc'

type Instant = string | number | Date

const formatters = new Map<string, Intl.DateTimeFormat>()

/** Formatters are costly to build and the timeline formats thousands of rows: cache them. */
function formatter(tz: TimeZoneMode, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${tz}|${JSON.stringify(options)}`
  let f = formatters.get(key)
  if (!f) {
    // en-GB with h23: zero-padded 24-hour fields whatever the machine's locale.
    f = new Intl.DateTimeFormat('en-GB', {
      ...options,
      hourCycle: 'h23',
      ...(tz === 'utc' ? { timeZone: 'UTC' } : {}),
    })
    formatters.set(key, f)
  }
  return f
}

function toDate(at: Instant): Date | null {
  const d = at instanceof Date ? at : new Date(at)
  return Number.isNaN(d.getTime()) ? null : d
}

const DATE: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' }
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', second: '2-digit' }

/** The named fields of `at`, so the layout (2026-11-26 22:01:54) does not depend on a locale. */
function fields(at: Date, tz: TimeZoneMode, options: Intl.DateTimeFormatOptions) {
  const out: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {}
  for (const part of formatter(tz, options).formatToParts(at)) out[part.type] = part.value
  return out
}

const suffix = (tz: TimeZoneMode) => (tz === 'utc' ? ' UTC' : '')

/**
 * Texts of stored instants already formatted, by zone and instant: the header and the state tree
 * format the same few instants on every scrub step, at about 0.07 ms each (issue 10). Emptied
 * when full, so it stays small.
 */
const dateTimes = new Map<string, string>()
const DATE_TIMES_KEPT = 1000

/** 2026-11-26 22:01:54 (local) or 2026-11-26 22:01:54 UTC. */
export function formatDateTime(at: Instant, tz: TimeZoneMode): string {
  const key = typeof at === 'string' ? `${tz}|${at}` : null
  const known = key === null ? undefined : dateTimes.get(key)
  if (known !== undefined) return known
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, { ...DATE, ...TIME })
  const text = `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}${suffix(tz)}`
  if (key !== null) {
    if (dateTimes.size >= DATE_TIMES_KEPT) dateTimes.clear()
    dateTimes.set(key, text)
  }
  return text
}

/** 22:01:54 (local) or 22:01:54 UTC: the status bar's clock times. */
export function formatClock(at: Instant, tz: TimeZoneMode): string {
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, TIME)
  return `${f.hour}:${f.minute}:${f.second}${suffix(tz)}`
}

/** 22:01:54.123: the time in the timeline's column (timelineTime adds the date where the day changes). */
export function formatTimeOfDay(at: Instant, tz: TimeZoneMode): string {
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, { ...TIME, fractionalSecondDigits: 3 })
  return `${f.hour}:${f.minute}:${f.second}.${f.fractionalSecond}`
}

/** 2026-11-26, the day of `at` in the display zone (no suffix: the column says the zone). */
export function formatDate(at: Instant, tz: TimeZoneMode): string {
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, DATE)
  return `${f.year}-${f.month}-${f.day}`
}

/**
 * The timeline's Time column: the time to the millisecond, and the date as well when the row
 * above is of another day (or, with no row above, when it is not today), so that events a day
 * apart never read as milliseconds apart.
 */
export function timelineTime(
  at: Instant,
  above: Instant | undefined,
  tz: TimeZoneMode,
  now: Date = new Date(),
): { date?: string; time: string } {
  const time = formatTimeOfDay(at, tz)
  if (!toDate(at)) return { time }
  const date = formatDate(at, tz)
  return date === formatDate(above ?? now, tz) ? { time } : { date, time }
}

/** A time span for people: 27 ms, 4.2 s, 3 min 5 s, 2 h 5 min, 1 d 1 h. */
export function formatGap(ms: number): string {
  const abs = Math.abs(ms)
  if (abs < 1000) return `${Math.round(abs)} ms`
  if (abs < 60_000) return `${Math.floor(abs / 100) / 10} s`
  const seconds = Math.floor(abs / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
  const hours = Math.floor(minutes / 60)
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/** Today: the time; otherwise the date. */
export function formatShort(at: Instant, tz: TimeZoneMode, now: Date = new Date()): string {
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, { ...DATE, ...TIME })
  const n = fields(now, tz, DATE)
  if (f.year === n.year && f.month === n.month && f.day === n.day)
    return `${f.hour}:${f.minute}:${f.second}`
  return `${f.year}-${f.month}-${f.day}`
}

/** 2026-11-26 22:01:54.123 (local) or with " UTC": a Date value in a state, to the millisecond. */
export function formatDateTimeMs(at: Instant, tz: TimeZoneMode): string {
  const d = toDate(at)
  if (!d) return String(at)
  const f = fields(d, tz, { ...DATE, ...TIME, fractionalSecondDigits: 3 })
  return `${f.year}-${f.month}-${f.day} ${f.hour}:${f.minute}:${f.second}.${f.fractionalSecond}${suffix(tz)}`
}

/** Axis ticks that tell a span's buckets apart: times within a day, dates beyond a month. */
export function spanTickFormat(
  spanMs: number,
  bucketMs: number,
  tz: TimeZoneMode,
): (at: Instant) => string {
  // Sub-second buckets (a seed run) need fractional digits, or several ticks would read alike.
  const fractionalSecondDigits =
    bucketMs >= 1000 || bucketMs === 0 ? undefined : bucketMs >= 100 ? 1 : bucketMs >= 10 ? 2 : 3
  const options: Intl.DateTimeFormatOptions =
    spanMs < 24 * 3600_000
      ? { ...TIME, ...(fractionalSecondDigits ? { fractionalSecondDigits } : {}) }
      : spanMs < 30 * 24 * 3600_000
        ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
        : { year: 'numeric', month: 'short', day: 'numeric' }
  const f = formatter(tz, options)
  return (at) => {
    const d = toDate(at)
    return d ? f.format(d) : String(at)
  }
}

/** One formatter: toLocaleString builds one per call (about 0.1 ms each; issue 10). */
const COUNT = new Intl.NumberFormat('en-US')

export function formatCount(n: number): string {
  return COUNT.format(n)
}

/** One line for previews of a display value (its kinds said, lib/displayText.ts), cut to `max`. */
export function previewJson(value: JsonValue, max = 160): string {
  return displayText(value, max)
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
