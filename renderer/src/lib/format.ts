export type TimeZoneMode = 'local' | 'utc'

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

function parts(iso: string, tz: TimeZoneMode) {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return null
  const utc = tz === 'utc'
  return {
    y: utc ? d.getUTCFullYear() : d.getFullYear(),
    mo: (utc ? d.getUTCMonth() : d.getMonth()) + 1,
    d: utc ? d.getUTCDate() : d.getDate(),
    h: utc ? d.getUTCHours() : d.getHours(),
    mi: utc ? d.getUTCMinutes() : d.getMinutes(),
    s: utc ? d.getUTCSeconds() : d.getSeconds(),
    ms: utc ? d.getUTCMilliseconds() : d.getMilliseconds(),
  }
}

/** 2026-11-26 22:01:54 (local) or 2026-11-26 22:01:54 UTC. */
export function formatDateTime(iso: string, tz: TimeZoneMode): string {
  const p = parts(iso, tz)
  if (!p) return iso
  return `${p.y}-${pad(p.mo)}-${pad(p.d)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${tz === 'utc' ? ' UTC' : ''}`
}

/** 22:01:54.123 — the timeline's column; the full date goes in the tooltip. */
export function formatTimeOfDay(iso: string, tz: TimeZoneMode): string {
  const p = parts(iso, tz)
  if (!p) return iso
  return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}.${pad(p.ms, 3)}`
}

/** Today: the time; otherwise the date. */
export function formatShort(iso: string, tz: TimeZoneMode, now: Date = new Date()): string {
  const p = parts(iso, tz)
  const n = parts(now.toISOString(), tz)
  if (!p || !n) return iso
  if (p.y === n.y && p.mo === n.mo && p.d === n.d) return `${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** One line of JSON for previews, cut to `max` characters. */
export function previewJson(value: unknown, max = 160): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? 'undefined'
  } catch {
    text = String(value)
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${(n / 1024 / 1024).toFixed(1)} MiB`
}
