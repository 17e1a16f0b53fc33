/**
 * UUIDs in format 2 (canonicalRecord.ts). The hash covers an event's canonical text, where a
 * UUID is its hex text, so it reads back as a string; a record whose format byte says
 * "retyped" stores, after the text and a newline (never part of canonical JSON, which escapes
 * it), the JSON list of the paths at which such strings are UUIDs. Decoding types them back,
 * and only a string that is exactly a UUID's canonical text may be typed: a changed list can
 * change no value the hash covers, the same guarantee format 1 gives its tagged UUIDs (whose
 * tag the hash does not cover either).
 */
import { DataIntegrityError } from '../errors'
import { UUID } from '../domain/uuid'

export const RETYPE_SEPARATOR = '\n'

/** A retyped record's text cut in two: the canonical text and the list of paths. */
export function splitRetyped(text: string): [string, string] {
  const at = text.lastIndexOf(RETYPE_SEPARATOR)
  if (at < 0) throw new DataIntegrityError('format 2 state says it is retyped but lists no paths')
  return [text.slice(0, at), text.slice(at + 1)]
}

/** Types back the UUIDs at the listed paths of decoded `fields`. */
export function applyRetypes(fields: Record<string, unknown>, list: string): void {
  let paths: unknown
  try {
    paths = JSON.parse(list)
  } catch (error) {
    throw new DataIntegrityError(
      'format 2 state lists its UUIDs in text that is not JSON',
      {},
      {
        cause: error,
      },
    )
  }
  if (!Array.isArray(paths) || paths.length === 0)
    throw new DataIntegrityError('format 2 state lists no UUID paths')
  for (const path of paths) retype(fields, path)
}

function retype(fields: Record<string, unknown>, path: unknown): void {
  if (!Array.isArray(path) || path.length === 0 || typeof path[0] !== 'string') throw badPath(path)
  let container: unknown = fields
  for (let k = 0; k < path.length - 1; k++) container = step(container, path[k], k, path)
  const last = path[path.length - 1] as unknown
  const text = step(container, last, path.length - 1, path)
  if (typeof text !== 'string') throw badPath(path, 'holds no text')
  let uuid: UUID
  try {
    uuid = new UUID(text)
  } catch {
    throw badPath(path, 'holds no UUID')
  }
  // Only the canonical text itself: the hash covers exactly this string.
  if (uuid.hex !== text) throw badPath(path, 'holds a UUID not in its canonical form')
  ;(container as Record<string | number, unknown>)[last as string | number] = uuid
}

/**
 * The value under `key`: a field of the event (k = 0), a key of an object JSON.parse made, or
 * an index of an array. Nothing else is walked into (no revived value, no prototype).
 */
function step(container: unknown, key: unknown, k: number, path: unknown[]): unknown {
  if (typeof key === 'string') {
    if (
      key !== '__proto__' &&
      typeof container === 'object' &&
      container !== null &&
      (k === 0 || Object.getPrototypeOf(container) === Object.prototype) &&
      Object.hasOwn(container, key)
    )
      return (container as Record<string, unknown>)[key]
  } else if (
    typeof key === 'number' &&
    Array.isArray(container) &&
    Number.isInteger(key) &&
    key >= 0 &&
    key < container.length
  ) {
    return container[key] as unknown
  }
  throw badPath(path, 'leads nowhere')
}

function badPath(path: unknown, what = 'is not a path'): DataIntegrityError {
  const shown = JSON.stringify(path)
  const text = shown !== undefined && shown.length > 200 ? `${shown.slice(0, 200)}…` : shown
  return new DataIntegrityError(`format 2 state lists a UUID path that ${what}: ${text}`)
}
