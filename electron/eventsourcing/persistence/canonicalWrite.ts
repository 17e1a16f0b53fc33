/**
 * Writing format 2 (canonicalRecord.ts): the event's hash, where the row's own pairs were cut
 * from its canonical text, the text, and, for an event holding UUIDs, where they are
 * (canonicalRetypes.ts).
 */
import { hashedTextOf } from '../domain/events'
import { canonicalEventJson } from '../domain/hashing'
import { HASH_BYTES, HEADER_BYTES, headerSegments, restoreCanonical } from './canonicalRecord'
import { eventFieldsRoundTrip, type FieldPath, uuidPathsOf } from './canonicalRoundTrip'
import { RETYPE_SEPARATOR } from './canonicalRetypes'

export interface CanonicalBody {
  /** `lead` bytes left for the caller, the hash, the offsets, the text (and its retypes). */
  readonly bytes: Buffer
  /** Whether the text is followed by the paths of UUIDs to type back: a format flag of its own. */
  readonly retyped: boolean
}

/** An event's format 2 body, or undefined when the event must be written in format 1. */
export function canonicalBody(event: object, topic: string, lead = 0): CanonicalBody | undefined {
  const record = event as Record<string, unknown>
  const hash = record['hash']
  // The text the event's constructor hashed, when it has it (so the hash is its SHA-256 hex):
  // the same text, written once.
  const hashed = hashedTextOf(event, topic)
  if (hashed === undefined && (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)))
    return undefined
  let retypes = ''
  // The plain check first: tracking paths for every event cost most events (no UUID) about
  // 70 % more to write; an event holding UUIDs is walked twice.
  if (!eventFieldsRoundTrip(record)) {
    const uuids = uuidPathsOf(record)
    if (uuids === undefined || uuids.length === 0) return undefined
    retypes = RETYPE_SEPARATOR + pathsText(uuids)
  }
  const full = hashed ?? canonicalEventJson(topic, event)
  const id = record['originatorId']
  const version = record['originatorVersion']
  if (typeof id !== 'string' || typeof version !== 'number') return undefined
  const segments = headerSegments(id, version, topic)
  // Each pair must occur once (so the one cut is the event's own, not a nested value's) and in
  // this order (sorted keys: timestamp always lies between the version and the topic, so the
  // cut commas never overlap).
  let stored = ''
  let from = 0
  const offsets: [number, number, number] = [0, 0, 0]
  let n = 0
  for (const segment of segments) {
    const at = full.indexOf(segment, from)
    if (at === -1 || full.indexOf(segment, at + 1) !== -1) return undefined
    stored += full.slice(from, at)
    offsets[n++] = stored.length
    from = at + segment.length
  }
  stored += full.slice(from)
  if (stored.length > 0xffff || restoreCanonical(stored, offsets, segments) !== full)
    return undefined
  stored += retypes
  const bytes = Buffer.allocUnsafe(lead + HEADER_BYTES + Buffer.byteLength(stored, 'utf8'))
  bytes.write(hash as string, lead, HASH_BYTES, 'hex')
  for (let i = 0; i < 3; i++) bytes.writeUInt16LE(offsets[i]!, lead + HASH_BYTES + 2 * i)
  bytes.write(stored, lead + HEADER_BYTES, 'utf8')
  return { bytes, retyped: retypes !== '' }
}

// Events of a class mostly hold their UUIDs at the same paths: the last list's text is kept.
let lastPaths: FieldPath[] = []
let lastText = '[]'

/** JSON.stringify(paths), reused while the paths are the last ones (a fifth of the write). */
function pathsText(paths: FieldPath[]): string {
  if (!samePaths(paths, lastPaths)) {
    lastText = JSON.stringify(paths)
    lastPaths = paths
  }
  return lastText
}

function samePaths(a: FieldPath[], b: FieldPath[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const p = a[i]!
    const q = b[i]!
    if (p.length !== q.length) return false
    for (let k = 0; k < p.length; k++) if (p[k] !== q[k]) return false
  }
  return true
}
