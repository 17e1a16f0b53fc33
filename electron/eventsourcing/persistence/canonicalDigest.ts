/**
 * The SHA-256 of a format 2 record's canonical text (canonicalTextOf) computed from bytes: the
 * stored text is written once into a buffer kept for the purpose, the row's id, version and
 * topic put back in it there, and the bytes hashed. Building the text as a string cost six
 * concatenations, three slices and the flat copy the hash makes of them, a quarter or more of
 * what a replay allocated (measured: 16 MB or more per 10,000 events before, 12 MB after), and
 * with them a scavenge per replay that copied the live page of events.
 */
import { sha256Hex } from '../domain/hashing'
import { canonicalTextOf } from './canonicalRecord'

const VERSION_KEY = Buffer.from('"originatorVersion":', 'latin1')
let scratch = Buffer.alloc(4096)
/** Views of the first n bytes of `scratch`, by n: hashed without a view made per event. */
let views: Uint8Array[] = []
let lastId = ''
let idBytes = Buffer.alloc(0)
let lastTopic = ''
let topicBytes = Buffer.alloc(0)

/** sha256Hex(canonicalTextOf(text, a, b, c, originatorId, version, topic)). */
export function canonicalDigest(
  text: string,
  a: number,
  b: number,
  c: number,
  originatorId: string,
  version: number,
  topic: string,
): string {
  if (originatorId !== lastId) {
    idBytes = Buffer.from(`"originatorId":${JSON.stringify(originatorId)},`, 'utf8')
    lastId = originatorId
  }
  if (topic !== lastTopic) {
    topicBytes = Buffer.from(`,"topic":${JSON.stringify(topic)}`, 'utf8')
    lastTopic = topic
  }
  // The text goes after room for what is put back (the digits of a safe integer: at most 16 and
  // a sign); each piece is then moved or written before the part of the text still to move.
  const room = idBytes.length + VERSION_KEY.length + 18 + topicBytes.length
  const n = text.length
  if (!Number.isSafeInteger(version) || room + 3 * n > scratch.length) {
    if (Number.isSafeInteger(version) && room + 3 * n <= 1 << 20) grow(room + 3 * n)
    else return sha256Hex(canonicalTextOf(text, a, b, c, originatorId, version, topic))
  }
  const buffer = scratch
  // Offsets count UTF-16 units: they are byte offsets only when each unit took one byte.
  if (buffer.write(text, room, 'utf8') !== n)
    return sha256Hex(canonicalTextOf(text, a, b, c, originatorId, version, topic))
  buffer.copyWithin(0, room, room + a)
  let o = a
  buffer.set(idBytes, o)
  o += idBytes.length
  buffer.copyWithin(o, room + a, room + b)
  o += b - a
  buffer.set(VERSION_KEY, o)
  o = writeDigits(buffer, o + VERSION_KEY.length, version)
  buffer[o++] = 44 // ,
  buffer.copyWithin(o, room + b, room + c)
  o += c - b
  buffer.set(topicBytes, o)
  o += topicBytes.length
  buffer.copyWithin(o, room + c, room + n)
  o += n - c
  let view = views[o]
  if (view === undefined) {
    view = new Uint8Array(buffer.buffer, buffer.byteOffset, o)
    views[o] = view
  }
  return sha256Hex(view)
}

function grow(bytes: number): void {
  scratch = Buffer.alloc(Math.max(bytes, 2 * scratch.length))
  views = []
}

/** String(value) of a safe integer, as bytes at `at`; the offset after them. */
function writeDigits(buffer: Buffer, at: number, value: number): number {
  if (value < 0) {
    buffer[at++] = 45 // -
    value = -value
  }
  let digits = 1
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++
  for (let d = at + digits - 1; d >= at; d--) {
    buffer[d] = 48 + (value % 10)
    value = Math.floor(value / 10)
  }
  return at + digits
}
