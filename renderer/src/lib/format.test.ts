import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  formatClock,
  formatDateTime,
  formatDateTimeMs,
  formatGap,
  formatShort,
  formatTimeOfDay,
  spanTickFormat,
  timelineTime,
} from './format'

const AT = '2026-11-26T15:00:02.045Z'
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

describe('one formatter for every time', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  test('UTC: 24-hour, zero-padded, marked UTC', () => {
    expect(formatDateTime(AT, 'utc')).toBe('2026-11-26 15:00:02 UTC')
    expect(formatClock(AT, 'utc')).toBe('15:00:02 UTC')
    expect(formatTimeOfDay(AT, 'utc')).toBe('15:00:02.045')
    expect(formatShort(AT, 'utc', new Date('2026-11-26T23:00:00Z'))).toBe('15:00:02')
    expect(formatShort(AT, 'utc', new Date('2026-11-27T01:00:00Z'))).toBe('2026-11-26')
  })

  test('Local follows the machine zone, still 24-hour (never "3:00:02 PM")', () => {
    // Node applies a changed TZ at once; no local formatter is cached before this test.
    vi.stubEnv('TZ', 'America/New_York')
    const d = new Date(AT)
    // The expected text from Date's own local getters, so the zone's offset is not hard-coded.
    const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    expect(clock).toBe('10:00:02')
    expect(formatClock(AT, 'local')).toBe(clock)
    expect(formatDateTime(AT, 'local')).toBe(`2026-11-26 ${clock}`)
    expect(formatTimeOfDay(AT, 'local')).toBe(`${clock}.045`)
    expect(formatClock(AT, 'local')).not.toMatch(/AM|PM/)
  })

  test('the list, the live pill and the tree read the same clock time', () => {
    const now = new Date(AT)
    for (const tz of ['local', 'utc'] as const) {
      const clock = formatClock(AT, tz).replace(' UTC', '')
      expect(formatShort(AT, tz, now)).toBe(clock)
      expect(formatDateTime(AT, tz)).toContain(clock)
      expect(formatTimeOfDay(AT, tz).startsWith(clock)).toBe(true)
    }
  })

  test('accepts Date values and epoch milliseconds (the live pill keeps a number)', () => {
    expect(formatClock(Date.parse(AT), 'utc')).toBe('15:00:02 UTC')
    expect(formatDateTime(new Date(AT), 'utc')).toBe('2026-11-26 15:00:02 UTC')
  })

  test('text that is not a date is shown as given', () => {
    expect(formatDateTime('soon', 'utc')).toBe('soon')
    expect(formatClock('soon', 'local')).toBe('soon')
  })

  test('a Date value in a state: to the millisecond, per the Local/UTC choice', () => {
    expect(formatDateTimeMs(AT, 'utc')).toBe('2026-11-26 15:00:02.045 UTC')
    expect(formatDateTimeMs(AT, 'local')).toMatch(/^2026-11-2\d \d\d:\d\d:02\.045$/)
  })

  test('axis ticks: sub-second buckets get fractional digits, long spans get dates', () => {
    expect(spanTickFormat(60_000, 1000, 'utc')(AT)).toBe('15:00:02')
    expect(spanTickFormat(6_000, 100, 'utc')(AT)).toBe('15:00:02.0')
    expect(spanTickFormat(600, 10, 'utc')(AT)).toBe('15:00:02.04')
    expect(spanTickFormat(7 * 86_400_000, 3_600_000, 'utc')(AT)).toBe('26 Nov, 15:00')
    expect(spanTickFormat(400 * 86_400_000, 86_400_000, 'utc')(AT)).toBe('26 Nov 2026')
  })
})

describe("the timeline's Time column", () => {
  const NOW = new Date('2026-11-26T20:00:00Z')

  test('a row on the same day as the row above shows the time alone', () => {
    expect(timelineTime(AT, '2026-11-26T14:59:00.000Z', 'utc', NOW)).toEqual({
      time: '15:00:02.045',
    })
  })

  test('a row on another day than the row above shows its date too, even 27 ms apart', () => {
    // A writer whose clock ran a day behind: 27 ms apart by the time of day alone.
    expect(timelineTime('2026-11-25T15:00:02.072Z', AT, 'utc', NOW)).toEqual({
      date: '2026-11-25',
      time: '15:00:02.072',
    })
  })

  test('the day is the display zone’s: 2 ms apart across midnight UTC are two days in UTC', () => {
    const row = '2026-11-26T00:00:00.001Z'
    const above = '2026-11-25T23:59:59.999Z'
    expect(timelineTime(row, above, 'utc', NOW).date).toBe('2026-11-26')
    expect(timelineTime(row, '2026-11-26T00:00:00.000Z', 'utc', NOW).date).toBeUndefined()
  })

  test('a row with none above shows its date unless it is today', () => {
    expect(timelineTime(AT, undefined, 'utc', NOW)).toEqual({ time: '15:00:02.045' })
    expect(timelineTime(AT, undefined, 'utc', new Date('2026-11-27T09:00:00Z'))).toEqual({
      date: '2026-11-26',
      time: '15:00:02.045',
    })
  })

  test('formatGap says how far apart in the largest units that matter', () => {
    expect(formatGap(27)).toBe('27 ms')
    expect(formatGap(4_200)).toBe('4.2 s')
    expect(formatGap(3 * 60_000 + 5_000)).toBe('3 min 5 s')
    expect(formatGap(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min')
    expect(formatGap(86_400_000 - 27)).toBe('23 h 59 min')
    expect(formatGap(86_400_000 + 3_600_000)).toBe('1 d 1 h')
  })
})
