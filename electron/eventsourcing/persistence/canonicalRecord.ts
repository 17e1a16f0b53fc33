/**
 * Record format 2: the state holds the event's hash (32 bytes) and then the very text that hash
 * was computed over, the canonical JSON of `{ topic, ...fields but hash }` (domain/hashing.ts),
 * less the three pairs the row already holds (originator id, version, topic). Where those were
 * cut out is stored too (three 16-bit offsets), so a replay puts the row's values back into the
 * text and verifies the record with one SHA-256, with no canonical JSON rebuilt from the
 * decoded fields. The hash is the one format 1 records carry: chains, snapshots and old records
 * link to it unchanged, and a record moved to another row hashes that row's id, version and
 * topic, so it fails. Only events whose canonical JSON decodes back to the same fields in the
 * same order, or does once the UUIDs among them are typed back (canonicalRetypes.ts), are
 * written this way (canonicalWrite.ts); any other event is written in format 1.
 */
import { type DomainEvent, type StoredHashProof, UnregisteredEvent } from '../domain/events'
import { DataIntegrityError } from '../errors'
import { canonicalDigest } from './canonicalDigest'
import { asIntegrityError, NONE } from './recordErrors'
import type { OpenedRows } from './openedTexts'
import { RETYPED_SPLIT_MARK, type SplitRow, type StoredRecord } from './recorder'
import { applyRetypes, splitRetyped } from './canonicalRetypes'
import { valueFromText } from '../domain/valueTypes'

export const HASH_BYTES = 32
/** Hash, then the offsets (UTF-16 units into the stored text) of the three pairs cut out. */
export const HEADER_BYTES = HASH_BYTES + 6

/**
 * The three pairs as the canonical writer writes them: id and version with the comma after them
 * (neither is ever last: timestamp follows), the topic with the comma before it (it is never
 * first: timestamp precedes it).
 */
export function headerSegments(
  id: string,
  version: number,
  topic: string,
): [string, string, string] {
  return [idSegment(id), `"originatorVersion":${String(version)},`, topicSegment(topic)]
}

// A replay asks for the same id and, mostly, the same topic event after event: keep the last.
let lastId = ''
let lastIdSegment = '"originatorId":"",'
let lastTopic = ''
let lastTopicSegment = ',"topic":""'

function idSegment(id: string): string {
  if (id !== lastId) {
    lastIdSegment = `"originatorId":${JSON.stringify(id)},`
    lastId = id
  }
  return lastIdSegment
}

function topicSegment(topic: string): string {
  if (topic !== lastTopic) {
    lastTopicSegment = `,"topic":${JSON.stringify(topic)}`
    lastTopic = topic
  }
  return lastTopicSegment
}

/** The canonical text: the stored text with the three pairs put back at offsets a ≤ b ≤ c. */
export function restoreCanonical(
  stored: string,
  [a, b, c]: readonly [number, number, number],
  segments: readonly string[],
): string {
  return (
    stored.slice(0, a) +
    segments[0]! +
    stored.slice(a, b) +
    segments[1]! +
    stored.slice(b, c) +
    segments[2]! +
    stored.slice(c)
  )
}

/**
 * The fields of a canonical text, parsed, with its tagged values revived. Only tags can hold
 * `{"$` (a `"` inside a string is escaped, and no plain key starts with `$`), so the one tag
 * nearly every event has, its timestamp, is revived directly and nothing else is walked.
 */
export function parseCanonical(text: string): Record<string, unknown> {
  const fields = JSON.parse(text) as Record<string, unknown>
  const first = text.indexOf('{"$')
  if (first === -1) return fields
  const timestamp = fields['timestamp'] as { $date?: unknown } | undefined
  if (
    text.indexOf('{"$', first + 3) === -1 &&
    typeof timestamp === 'object' &&
    timestamp !== null &&
    typeof timestamp.$date === 'string'
  ) {
    fields['timestamp'] = valueFromText.date(timestamp.$date)
    return fields
  }
  return reviveTags(fields) as Record<string, unknown>
}

function reviveTags(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = reviveTags(value[i])
    return value
  }
  const record = value as Record<string, unknown>
  for (const key in record) {
    if (key.charCodeAt(0) === 36) return reviveTag(key, record[key])
    record[key] = reviveTags(record[key])
  }
  return record
}

function reviveTag(key: string, text: unknown): unknown {
  if (typeof text === 'string') {
    if (key === '$date') return valueFromText.date(text)
    if (key === '$bigint') return valueFromText.bigint(text)
    if (key === '$bytes') return valueFromText.bytes(text)
  }
  throw new TypeError(`unexpected ${key} in a format 2 record`)
}

/** A stored text and where the row's id, version and topic go back in: the proof of its hash. */
export class StoredCanonical implements StoredHashProof {
  constructor(
    private readonly text: string,
    private readonly a: number,
    private readonly b: number,
    private readonly c: number,
    private readonly originatorId: string,
    private readonly originatorVersion: number,
    private readonly topic: string,
  ) {}

  canonicalText(): string {
    return canonicalTextOf(
      this.text,
      this.a,
      this.b,
      this.c,
      this.originatorId,
      this.originatorVersion,
      this.topic,
    )
  }
}

/** A stored text with the row's id, version and topic put back at offsets a ≤ b ≤ c. */
export function canonicalTextOf(
  text: string,
  a: number,
  b: number,
  c: number,
  originatorId: string,
  originatorVersion: number,
  topic: string,
): string {
  return (
    text.slice(0, a) +
    idSegment(originatorId) +
    text.slice(a, b) +
    `"originatorVersion":${String(originatorVersion)},` +
    text.slice(b, c) +
    topicSegment(topic) +
    text.slice(c)
  )
}

/**
 * The three offsets of a format 2 header read as hex (`selectSplit`, either case): 16-bit
 * little endian at hex positions 64, 68 and 72 of `split`, which the text follows; undefined
 * when it is shorter than the header (a state that short has no text) or those are no hex.
 */
export function offsetsFromHex(split: string): [number, number, number] | undefined {
  if (split.length < 2 * HEADER_BYTES) return undefined
  const out: [number, number, number] = [0, 0, 0]
  for (let i = 0; i < 3; i++) {
    const at = 2 * HASH_BYTES + 4 * i
    const low = hexByte(split, at)
    const high = hexByte(split, at + 2)
    if (low < 0 || high < 0) return undefined
    out[i] = low | (high << 8)
  }
  return out
}

function hexByte(text: string, at: number): number {
  const h = hexDigit(text.charCodeAt(at))
  const l = hexDigit(text.charCodeAt(at + 1))
  return h < 0 || l < 0 ? -1 : (h << 4) | l
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  return -1
}

/*
 * Reading format 2 rows. The per-event steps live here, beside the text functions they call:
 * a call into another module costs an accessor per call where modules are loaded one by one
 * (tsx: the tests, the benchmarks), measurable on a 10,000-event replay.
 */

/** What a page decode found out about an event's hash (`checks[i]`, decodeRows). */
export const HASH_UNCHECKED = 0
export const HASH_MATCHES = 1
export const HASH_DIFFERS = 2

export type EventClass = abstract new () => DomainEvent

/**
 * The mapper's side of decodeRows: a topic's class, a row not split (any format), and where
 * the events kept for their hidden classes go (keepShape: the mapper's, so that they go with it).
 */
export interface RowDecoder {
  readonly shapes: Map<string, DomainEvent>
  eventClass(originatorId: string, version: number, topic: string): EventClass | undefined
  wholeEvent(
    record: StoredRecord,
    cls: EventClass | undefined,
    checks: Uint8Array | undefined,
    i: number,
    opened: OpenedRows | undefined,
  ): DomainEvent
}

/**
 * Mapper.splitRowsToEvents: split rows decoded here, the others by `decoder.wholeEvent` (with
 * `opened`: the page's encrypted states decrypted at once, row i's at opened.starts[i]).
 */
export function decodeRows(
  decoder: RowDecoder,
  originatorId: string,
  rows: readonly SplitRow[],
  checks: Uint8Array | undefined,
  opened?: OpenedRows,
): DomainEvent[] {
  const events = new Array<DomainEvent>(rows.length)
  let lastTopic: string | undefined
  let cls: EventClass | undefined
  let runStart = false
  for (let i = 0; i < rows.length; i++) {
    const [version, topic, rest] = rows[i]!
    // A page is mostly one or two topics: resolve the class once per run of the same.
    if (topic !== lastTopic) {
      cls = decoder.eventClass(originatorId, version, topic)
      lastTopic = topic
      runStart = true
    }
    let event: DomainEvent
    if (typeof rest === 'string') {
      event = splitEvent(originatorId, version, topic, rest, cls, checks, i)
    } else {
      const record = { originatorId, originatorVersion: version, topic, state: rest }
      event = decoder.wholeEvent(record, cls, checks, i, opened)
    }
    events[i] = event
    if (runStart) {
      keepShape(decoder.shapes, topic, event)
      runStart = false
    }
  }
  return events
}

/**
 * The first event of the latest run of each topic decoded, kept in `shapes` (at most
 * SHAPES_KEPT topics, one event each). V8 keeps an object's hidden class only while an object
 * of it lives, and a replay's events usually die with it: after a full garbage collection
 * between two replays their classes were gone, and the optimised code that had seen them
 * (decoding, the chain check, the replay loop) was thrown away ("weak objects"), so every
 * replay after one started unoptimised.
 */
function keepShape(shapes: Map<string, DomainEvent>, topic: string, event: DomainEvent): void {
  if (shapes.size >= SHAPES_KEPT && !shapes.has(topic)) shapes.clear()
  shapes.set(topic, event)
}

const SHAPES_KEPT = 256

/** A timestamp tag as JSON.parse makes one, kept: every tag parsed has its hidden class. */
export const DATE_TAG_SHAPE: unknown = JSON.parse('{"$date":"1970-01-01T00:00:00.000Z"}')

/** Whether `split` starts with the lower-case hex `digest`, its letters in either case. */
const RETYPED_MARK_CODE = RETYPED_SPLIT_MARK.charCodeAt(0)

function startsWithHex(split: string, digest: string): boolean {
  for (let k = 0; k < digest.length; k++) {
    const h = split.charCodeAt(k)
    const d = digest.charCodeAt(k)
    if (h !== d && !(h >= 65 && h <= 70 && h + 32 === d)) return false
  }
  return true
}

/**
 * A split row's event: the hash and offsets in hex (either case), then the text (selectSplit);
 * a retyped row's after RETYPED_SPLIT_MARK.
 */
function splitEvent(
  originatorId: string,
  version: number,
  topic: string,
  row: string,
  cls: EventClass | undefined,
  checks: Uint8Array | undefined,
  i: number,
): DomainEvent {
  const target = newTarget(cls)
  try {
    const retyped = row.charCodeAt(0) === RETYPED_MARK_CODE
    const split = retyped ? row.slice(1) : row
    const offsets = offsetsFromHex(split)
    if (offsets === undefined) throw new DataIntegrityError('format 2 state is too short')
    const [a, b, c] = offsets
    // (A slice of 13 or more characters is a view of the row's string, not a copy.)
    let text = split.slice(2 * HEADER_BYTES)
    let retypes: string | undefined
    if (retyped) [text, retypes] = splitRetyped(text)
    assignCanonical(text, a, b, c, target)
    if (retypes !== undefined) applyRetypes(target, retypes)
    if (checks === undefined) {
      target['hash'] = split.slice(0, 2 * HASH_BYTES).toLowerCase()
    } else {
      // The digest itself kept when it matches: compared as it is with the lower-case head
      // SQLite writes (lower(hex())), digit by digit for another case. (Measured: a slice and
      // === cost a fifth of startsWith.)
      const digest = canonicalDigest(text, a, b, c, originatorId, version, topic)
      const matches = split.slice(0, 2 * HASH_BYTES) === digest || startsWithHex(split, digest)
      target['hash'] = matches ? digest : split.slice(0, 2 * HASH_BYTES).toLowerCase()
      checks[i] = matches ? HASH_MATCHES : HASH_DIFFERS
    }
  } catch (error) {
    throw asIntegrityError(error, { originatorId, originatorVersion: version, topic, state: NONE })
  }
  return finishEvent(target, cls, originatorId, version, topic)
}

/** An event's object before its fields: of its class, or plain for an unregistered topic. */
export function newTarget(cls: EventClass | undefined): Record<string, unknown> {
  return (cls === undefined ? {} : Object.create(cls.prototype as object)) as Record<
    string,
    unknown
  >
}

/** The header after the fields (recordToEvent's order); an UnregisteredEvent without a class. */
export function finishEvent(
  target: Record<string, unknown>,
  cls: EventClass | undefined,
  originatorId: string,
  version: number,
  topic: string,
): DomainEvent {
  target['originatorId'] = originatorId
  target['originatorVersion'] = version
  return cls === undefined
    ? UnregisteredEvent.fromStored(topic, target)
    : (target as unknown as DomainEvent)
}

/**
 * A format 2 text's fields and hash onto `target`; with `checks`, checks[i] says whether the
 * text with the row's id, version and topic put back hashes to `hash`.
 */
export function decodeChecked(
  text: string,
  a: number,
  b: number,
  c: number,
  hash: string,
  target: Record<string, unknown>,
  originatorId: string,
  version: number,
  topic: string,
  checks: Uint8Array | undefined,
  i: number,
): void {
  assignCanonical(text, a, b, c, target)
  target['hash'] = hash
  if (checks !== undefined) {
    const digest = canonicalDigest(text, a, b, c, originatorId, version, topic)
    checks[i] = digest === hash ? HASH_MATCHES : HASH_DIFFERS
  }
}

/**
 * The fields of a format 2 text onto `fields` (tagged values revived), its offsets checked
 * against it: they say where the row's id, version and topic go back in for the hash.
 */
export function assignCanonical(
  text: string,
  a: number,
  b: number,
  c: number,
  fields: Record<string, unknown>,
): void {
  if (!(a <= b && b <= c && c <= text.length))
    throw new DataIntegrityError('format 2 state has offsets outside its text')
  let assigned: boolean
  try {
    assigned = assignParsed(text, fields)
  } catch (error) {
    throw new DataIntegrityError(
      `stored state is not valid format 2 JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    )
  }
  if (!assigned) throw new DataIntegrityError('format 2 state holds no event fields')
}

/**
 * parseCanonical's fields onto `target` (a fresh object); false, with nothing assigned, when
 * the text holds no object. The timestamp is read back from `target`, not from the parsed
 * object: JSON.parse's objects die at once, and optimised code that had read one lost its
 * hidden class at the next full garbage collection (see keepShape), while the event lives on
 * (and its class is kept) and the tag's is DATE_TAG_SHAPE's.
 */
function assignParsed(text: string, target: Record<string, unknown>): boolean {
  const parsed = JSON.parse(text) as unknown
  const first = text.indexOf('{"$')
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    // (A tag that cannot be revived is reported first, as parseCanonical does.)
    if (first !== -1) reviveTags(parsed)
    return false
  }
  if (first === -1) {
    copyFields(target, parsed)
    return true
  }
  if (text.indexOf('{"$', first + 3) === -1) {
    copyFields(target, parsed)
    const timestamp = target['timestamp'] as { $date?: unknown } | undefined
    if (
      typeof timestamp === 'object' &&
      timestamp !== null &&
      typeof timestamp.$date === 'string'
    ) {
      target['timestamp'] = valueFromText.date(timestamp.$date)
      return true
    }
    // The one tag is elsewhere: taken back, and assigned revived below.
    for (const key of Object.keys(parsed)) delete target[key]
  }
  Object.assign(target, reviveTags(parsed))
  return true
}

/**
 * Object.assign(target, parsed) for an object JSON.parse made (own enumerable string keys only,
 * set in order): measured, Object.assign onto an event, whose class's prototype chain it looks
 * up for every key, cost about three times this loop's property stores.
 */
function copyFields(target: Record<string, unknown>, parsed: object): void {
  const source = parsed as Record<string, unknown>
  for (const key in source) target[key] = source[key]
}
