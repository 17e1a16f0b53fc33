import { createHash } from 'node:crypto'

/**
 * A deterministic text form of a value (object keys sorted, dates as ISO strings, maps and
 * sets as sorted entries) so that an event hashes the same before storing and after loading.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonicalForm(value))
}

function canonicalForm(value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'bigint':
      return { $bigint: value.toString() }
    case 'object':
      break
    default:
      throw new TypeError(`cannot hash a value of type ${typeof value}`)
  }
  if (value instanceof Date) return { $date: value.toISOString() }
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString('base64') }
  if (Array.isArray(value)) return value.map(canonicalForm)
  if (value instanceof Map) {
    return {
      $map: [...value.entries()]
        .map(([k, v]) => [canonicalForm(k), canonicalForm(v)] as const)
        .sort((a, b) => compareText(JSON.stringify(a[0]), JSON.stringify(b[0]))),
    }
  }
  if (value instanceof Set) {
    return { $set: [...value].map(canonicalForm).sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b))) }
  }
  const withJson = value as { toJSON?: () => unknown }
  if (typeof withJson.toJSON === 'function') return canonicalForm(withJson.toJSON())
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  // An undefined field is left out, as the transcoder leaves it out of the stored JSON: the
  // event must hash the same before storing and after loading.
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) out[key] = canonicalForm(record[key])
  }
  return out
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
