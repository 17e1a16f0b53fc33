import { DataIntegrityError, TopicNotFound } from '../errors'
import {
  attachHashProof,
  type DomainEvent,
  eventTopicOf,
  UnregisteredEvent,
} from '../domain/events'
import { topics as defaultTopics, type TopicRegistry } from '../domain/topics'
import {
  assignCanonical,
  decodeChecked,
  DATE_TAG_SHAPE,
  decodeRows,
  type EventClass,
  finishEvent,
  HASH_BYTES,
  HEADER_BYTES,
  newTarget,
  type RowDecoder,
  StoredCanonical,
} from './canonicalRecord'
import { applyRetypes, splitRetyped } from './canonicalRetypes'
import { canonicalBody } from './canonicalWrite'
import { COMPRESS_MIN_BYTES, compressBody, decompressBody } from './recordCompression'
import { asIntegrityError, describe, NONE, where } from './recordErrors'
import { CANONICAL, COMPRESSION, ENCRYPTED, RETYPED, unknownFlags } from './recordFlags'
import type { AesGcmCipher } from './cipher'
import type { OpenedPage, SealedParts } from './gcmBatch'
import { decodeOpened, openedTexts, type OpenedRows } from './openedTexts'
import type { SplitRow, StateSplit, StoredRecord } from './recorder'
import { type EncodeOptions, JsonTranscoder, type UnregisteredTopics } from './transcoder'

/** How a plain format 2 state splits (selectSplit): hash and offsets in hex, then the text. */
const SPLIT: StateSplit = {
  formatByte: CANONICAL,
  headBytes: HEADER_BYTES,
  retypedByte: CANONICAL | RETYPED,
}

export { HASH_DIFFERS, HASH_MATCHES, HASH_UNCHECKED } from './canonicalRecord'

/**
 * Which record format events are written in: 2 (the default) stores the text an event's hash
 * was computed over, so that a replay verifies it with one SHA-256; 1 is the earlier format
 * (transcoder JSON, verified by rebuilding canonical JSON). Both are always read.
 */
export type RecordFormat = 1 | 2

/** How `toRecord` writes a state. */
export interface RecordOptions extends EncodeOptions {
  /** Brotli instead of zlib, when compressing (large states: snapshots). Default false. */
  readonly brotli?: boolean
}

export interface MapperOptions {
  readonly registry?: TopicRegistry
  readonly cipher?: AesGcmCipher | undefined
  /** zlib before encryption (default true). */
  readonly compress?: boolean
  /**
   * A record (or a value inside one) whose topic no class is registered under: `keep` reads it
   * as an UnregisteredEvent (UnregisteredValue), `fail` raises DataIntegrityError naming the
   * record (TopicNotFound for a value). Default `keep`: the topic is hashed and bound to an
   * encrypted state, so an unknown topic is a missing definition, not damaged data.
   */
  readonly unregisteredTopics?: UnregisteredTopics
  /** Default 2. */
  readonly recordFormat?: RecordFormat
}

/**
 * Turns events into stored records and back: transcode, compress, encrypt. Only the state is
 * transformed; id, version and topic stay readable so the store can index them.
 */
export class Mapper {
  readonly registry: TopicRegistry
  readonly transcoder: JsonTranscoder
  readonly cipher: AesGcmCipher | undefined
  private readonly compress: boolean
  private readonly keepUnregistered: boolean
  private readonly recordFormat: RecordFormat

  constructor(options: MapperOptions = {}) {
    this.recordFormat = options.recordFormat ?? 2
    this.registry = options.registry ?? defaultTopics
    const unregisteredTopics = options.unregisteredTopics ?? 'keep'
    this.keepUnregistered = unregisteredTopics === 'keep'
    this.transcoder = new JsonTranscoder(this.registry, { unregisteredTopics })
    this.cipher = options.cipher
    this.compress = options.compress ?? true
  }

  get encrypted(): boolean {
    return this.cipher !== undefined
  }

  toRecord(
    originatorId: string,
    originatorVersion: number,
    topic: string,
    fields: unknown,
    options: RecordOptions = {},
  ): StoredRecord {
    const body = Buffer.from(this.transcoder.encode(fields, options), 'utf8')
    return this.bodyToRecord(originatorId, originatorVersion, topic, body, 0, options.brotli)
  }

  private bodyToRecord(
    originatorId: string,
    originatorVersion: number,
    topic: string,
    plain: Uint8Array,
    format: number,
    brotli = false,
  ): StoredRecord {
    let body = plain
    let flags = format
    // Small states grow under zlib and cost an inflate on every replay: compress only when
    // it pays. The format byte records the choice per record.
    const compressed = this.compress ? compressBody(body, brotli) : undefined
    if (compressed) {
      body = compressed.body
      flags |= compressed.flag
    }
    if (this.cipher) {
      body = this.cipher.encrypt(body, associatedData(originatorId, originatorVersion, topic))
      flags |= ENCRYPTED
    }
    const state = Buffer.allocUnsafe(body.length + 1)
    state[0] = flags
    state.set(body, 1)
    return { originatorId, originatorVersion, topic, state }
  }

  /** The decoded state of a record; DataIntegrityError when it cannot be trusted. */
  decodeState(record: StoredRecord, opened?: Buffer): unknown {
    // Runs once per event on replay: the error details are built only when an error is thrown.
    const state = record.state
    if (state.length === 0)
      throw new DataIntegrityError(`empty state in ${describe(record)}`, where(record))
    const flags = state[0] ?? 0
    if (unknownFlags(flags)) {
      throw new DataIntegrityError(
        `unknown state format ${flags} in ${describe(record)}`,
        where(record),
      )
    }
    try {
      if (flags === 0 && !this.cipher) {
        // Plain JSON after the format byte: decode it in place, without a view per event.
        return this.transcoder.decode(utf8(state, 1))
      }
      const body = this.plainBody(record, flags, opened)
      if (flags & CANONICAL)
        return this.canonicalFields(record, body, 0, body.length, {}, true).fields
      return this.transcoder.decode(utf8(body, 0))
    } catch (error) {
      throw asIntegrityError(error, record)
    }
  }

  /**
   * The body of a record after decryption and decompression (not for format byte 0); `opened`:
   * its state decrypted already (decryptPage).
   */
  private plainBody(record: StoredRecord, flags: number, opened?: Buffer): Buffer {
    const body = decompressBody(opened ?? this.openedBody(record, flags), flags)
    return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  }

  /**
   * A record's body after the format byte, decrypted (its tag checked) when encrypted, still
   * compressed; DataIntegrityError where this mapper's key and the record disagree.
   */
  openedBody(record: StoredRecord, flags = record.state[0] ?? 0): Uint8Array {
    const { originatorId, originatorVersion, topic } = record
    if (flags & ENCRYPTED) {
      if (this.cipher)
        return this.cipher.decryptRecord(record.state, 1, originatorId, originatorVersion, topic)
      throw new DataIntegrityError(
        `${describe(record)} is encrypted but no cipher key is configured`,
        where(record),
      )
    }
    // Refuse plaintext where encryption is on: it was not written by this application.
    if (this.cipher)
      throw new DataIntegrityError(
        `${describe(record)} is not encrypted but this application encrypts everything`,
        where(record),
      )
    return record.state.subarray(1)
  }

  /**
   * The fields of a format 2 body, hash included, onto `fields` (id and version left out, as
   * format 1 stores them), and, with `withProof`, the proof its hash is checked against: the
   * stored text with this row's id, version and topic put back, so a record moved to another
   * row cannot verify.
   */
  private canonicalFields(
    record: StoredRecord,
    body: Buffer,
    from: number,
    to: number,
    fields: Record<string, unknown>,
    withProof: true,
  ): { fields: Record<string, unknown>; proof: StoredCanonical }
  private canonicalFields(
    record: StoredRecord,
    body: Buffer,
    from: number,
    to: number,
    fields: Record<string, unknown>,
    withProof: false,
    checks: Uint8Array | undefined,
    i: number,
  ): { fields: Record<string, unknown> }
  private canonicalFields(
    record: StoredRecord,
    body: Buffer,
    from: number,
    to: number,
    fields: Record<string, unknown>,
    withProof: boolean,
    checks?: Uint8Array,
    i = 0,
  ): { fields: Record<string, unknown>; proof?: StoredCanonical } {
    if (to - from < HEADER_BYTES + 2) throw new DataIntegrityError('format 2 state is too short')
    let text = body.toString('utf8', from + HEADER_BYTES, to)
    let retypes: string | undefined
    if (record.state[0]! & RETYPED) [text, retypes] = splitRetyped(text)
    const a = body.readUInt16LE(from + HASH_BYTES)
    const b = body.readUInt16LE(from + HASH_BYTES + 2)
    const c = body.readUInt16LE(from + HASH_BYTES + 4)
    // (Hex of the stored bytes, compared with the digest's hex: measured, cheaper than
    // comparing the digest's hex digits with the bytes in a loop here.)
    const hash = body.toString('hex', from, from + HASH_BYTES)
    const { originatorId, originatorVersion, topic } = record
    if (!withProof) {
      decodeChecked(text, a, b, c, hash, fields, originatorId, originatorVersion, topic, checks, i)
      if (retypes !== undefined) applyRetypes(fields, retypes)
      return { fields }
    }
    assignCanonical(text, a, b, c, fields)
    if (retypes !== undefined) applyRetypes(fields, retypes)
    fields['hash'] = hash
    const proof = new StoredCanonical(text, a, b, c, originatorId, originatorVersion, topic)
    return { fields, proof }
  }

  /**
   * How a store may split states for splitRowsToEvents (plain format 2: hash and offsets as
   * hex, then the text); undefined when this mapper decrypts, as it accepts no plain state (its
   * rows are read whole).
   */
  get stateSplit(): StateSplit | undefined {
    return this.cipher ? undefined : SPLIT
  }

  /**
   * The events of one originator's rows read by `selectSplit`. With `checks`, the hash of each
   * format 2 event (split, or whole: compressed, encrypted) is checked as it is decoded, from
   * the text it was parsed from, with no proof kept on the event: checks[i] is HASH_MATCHES or
   * HASH_DIFFERS. Format 1 rows are decoded as recordToEvent does (checks[i] stays
   * HASH_UNCHECKED: the chain check rebuilds their canonical JSON).
   */
  splitRowsToEvents(
    originatorId: string,
    rows: readonly SplitRow[],
    checks?: Uint8Array,
  ): DomainEvent[] {
    const opened = this.cipher === undefined ? undefined : this.decryptPage(originatorId, rows)
    return decodeRows(this.rowDecoder, originatorId, rows, checks, opened)
  }

  /** Kept for its hidden class (assignParsed); referenced here so that no bundler drops it. */
  readonly dateTagShape = DATE_TAG_SHAPE

  private readonly rowDecoder: RowDecoder = {
    shapes: new Map(),
    eventClass: (originatorId, version, topic) => this.eventClass(originatorId, version, topic),
    wholeEvent: (record, cls, checks, i, opened) => this.wholeEvent(record, cls, checks, i, opened),
  }

  /**
   * A page's encrypted rows decrypted at once (AesGcmCipher.decryptPage), in one buffer, by row
   * (starts[i] -1: row i was not); undefined when any fails: then each row is decrypted on its
   * own, and the first that fails raises its error, as it would have.
   */
  private decryptPage(originatorId: string, rows: readonly SplitRow[]): OpenedRows | undefined {
    const cipher = this.cipher!
    const at: number[] = []
    const sealed: SealedParts[] = []
    // The associated data `id\nversion\ntopic` in parts: the id's and each topic's bytes made
    // once a page, the version written as digits (gcmBatch.ts).
    const lead = Buffer.from(`${originatorId}\n`, 'utf8')
    let lastTopic: string | undefined
    let tail = lead
    // Whether every row decrypted is format 2 uncompressed (retyped or not): texts at once.
    let uniform = true
    for (let i = 0; i < rows.length; i++) {
      const [version, topic, state] = rows[i]!
      if (typeof state === 'string') continue
      const flags = state[0] ?? 0
      if (!(flags & ENCRYPTED) || unknownFlags(flags)) continue
      if ((flags & ~RETYPED) !== (ENCRYPTED | CANONICAL)) uniform = false
      // (Digits are written for a non-negative integer only: any other row is decrypted alone.)
      if (!Number.isSafeInteger(version) || version < 0) return undefined
      at.push(i)
      if (topic !== lastTopic) {
        tail = Buffer.from(`\n${topic}`, 'utf8')
        lastTopic = topic
      }
      // (node:sqlite, the desktop app's driver, reads BLOBs as plain Uint8Arrays: viewed, not copied.)
      const bytes = Buffer.isBuffer(state)
        ? state
        : Buffer.from(state.buffer, state.byteOffset, state.byteLength)
      sealed.push({ bytes, start: 1, lead, number: version, tail })
    }
    if (sealed.length === 0) return undefined
    const page = cipher.decryptPage(sealed)
    if (page === undefined) return undefined
    const starts = new Int32Array(rows.length).fill(-1)
    const ends = new Int32Array(rows.length)
    for (let k = 0; k < at.length; k++) {
      starts[at[k]!] = page.starts[k]!
      ends[at[k]!] = page.ends[k]!
    }
    const texts = uniform ? openedTexts({ bytes: page.bytes, starts, ends }) : undefined
    return { bytes: page.bytes, starts, ends, texts }
  }

  /**
   * A whole row's event: format 2 (after decryption, decompression) checked as it is decoded;
   * `opened`: the page's decrypted bodies (decryptPage), read in place.
   */
  private wholeEvent(
    record: StoredRecord,
    cls: EventClass | undefined,
    checks: Uint8Array | undefined,
    i: number,
    opened: OpenedRows | undefined,
  ): DomainEvent {
    const flags = record.state[0] ?? 0
    const from = opened === undefined ? -1 : opened.starts[i]!
    if (!(flags & CANONICAL) || unknownFlags(flags))
      return this.fieldsEvent(record, cls, from < 0 ? undefined : openedBody(opened!, i))
    const target = newTarget(cls)
    const texts = from < 0 ? undefined : opened!.texts
    try {
      if (texts !== undefined) {
        decodeOpened(texts, texts.at[i]!, record, target, checks, i)
      } else if (from >= 0 && !(flags & COMPRESSION)) {
        const { bytes, ends } = opened!
        this.canonicalFields(record, bytes, from, ends[i]!, target, false, checks, i)
      } else {
        const body = this.plainBody(record, flags, from < 0 ? undefined : openedBody(opened!, i))
        this.canonicalFields(record, body, 0, body.length, target, false, checks, i)
      }
    } catch (error) {
      throw asIntegrityError(error, record)
    }
    return finishEvent(target, cls, record.originatorId, record.originatorVersion, record.topic)
  }

  /** Whether a record's state is encrypted, read from its format byte without decrypting. */
  static isEncrypted(record: StoredRecord): boolean {
    return ((record.state[0] ?? 0) & ENCRYPTED) !== 0
  }

  eventToRecord(event: DomainEvent): StoredRecord {
    // An UnregisteredEvent is written back under the topic it was read from.
    const topic =
      eventTopicOf(event, this.registry) ??
      this.registry.topicOf(event.constructor as new () => object)
    // One byte ahead of the body for the format byte: a state stored as written (small, not
    // encrypted) needs no second buffer.
    const canonical = this.recordFormat === 2 ? canonicalBody(event, topic, 1) : undefined
    if (canonical !== undefined) {
      const { bytes, retyped } = canonical
      const format = retyped ? CANONICAL | RETYPED : CANONICAL
      const { originatorId, originatorVersion } = event
      if (!this.cipher && !(this.compress && bytes.length - 1 >= COMPRESS_MIN_BYTES)) {
        bytes[0] = format
        return { originatorId, originatorVersion, topic, state: bytes }
      }
      return this.bodyToRecord(originatorId, originatorVersion, topic, bytes.subarray(1), format)
    }
    const {
      originatorId: _id,
      originatorVersion: _version,
      ...fields
    } = event as unknown as Record<string, unknown>
    return this.toRecord(event.originatorId, event.originatorVersion, topic, fields)
  }

  /** recordToEvent for a format 2 record: the fields of its canonical text, with its proof. */
  private canonicalEvent(record: StoredRecord, cls: EventClass | undefined): DomainEvent {
    const flags = record.state[0]!
    // The fields go straight onto the event (no intermediate object per event on replay).
    const target = newTarget(cls)
    let proof: StoredCanonical
    try {
      const body = this.plainBody(record, flags)
      proof = this.canonicalFields(record, body, 0, body.length, target, true).proof
    } catch (error) {
      throw asIntegrityError(error, record)
    }
    const event = finishEvent(
      target,
      cls,
      record.originatorId,
      record.originatorVersion,
      record.topic,
    )
    attachHashProof(event, proof)
    return event
  }

  /** The class of an event topic; undefined for an unregistered one kept (`keep`). */
  private eventClass(
    originatorId: string,
    originatorVersion: number,
    topic: string,
  ): EventClass | undefined {
    try {
      if (!this.keepUnregistered || this.registry.has(topic))
        return this.registry.resolve(topic) as unknown as EventClass
      return undefined
    } catch (error) {
      // A stored row naming no known event class cannot be trusted: say which row it is.
      if (!(error instanceof TopicNotFound)) throw error
      const record = { originatorId, originatorVersion, topic, state: NONE }
      throw new DataIntegrityError(
        `${describe(record)} names a topic no event class is registered under`,
        where(record),
        { cause: error },
      )
    }
  }

  /** The event a record holds; an UnregisteredEvent when its topic is unregistered (`keep`). */
  recordToEvent(record: StoredRecord): DomainEvent {
    const cls = this.eventClass(record.originatorId, record.originatorVersion, record.topic)
    const flags = record.state[0] ?? 0
    if (flags & CANONICAL && !unknownFlags(flags)) return this.canonicalEvent(record, cls)
    return this.fieldsEvent(record, cls)
  }

  /** recordToEvent for any record but format 2 (format 1, or a state no format names). */
  private fieldsEvent(
    record: StoredRecord,
    cls: EventClass | undefined,
    opened?: Buffer,
  ): DomainEvent {
    const fields = this.decodeState(record, opened)
    if (fields === null || typeof fields !== 'object') {
      throw new DataIntegrityError(`${describe(record)} holds no event fields`, {
        originatorId: record.originatorId,
        originatorVersion: record.originatorVersion,
      })
    }
    if (cls === undefined) {
      return UnregisteredEvent.fromStored(record.topic, {
        ...fields,
        originatorId: record.originatorId,
        originatorVersion: record.originatorVersion,
      })
    }
    // What reconstructEvent(cls, { ...fields, originatorId, originatorVersion }) builds (same
    // own properties, same order), without the intermediate copy: that spread cost more than
    // the JSON decoding on replay.
    const event = Object.create(cls.prototype as object) as Record<string, unknown>
    Object.assign(event, fields)
    event.originatorId = record.originatorId
    event.originatorVersion = record.originatorVersion
    return event as unknown as DomainEvent
  }
}

/** Row i's decrypted body as a Buffer of its own (the rows decoded other than in place). */
function openedBody(opened: OpenedPage, i: number): Buffer {
  return opened.bytes.subarray(opened.starts[i], opened.ends[i])
}

function associatedData(originatorId: string, version: number, topic: string): Buffer {
  return Buffer.from(`${originatorId}\n${version}\n${topic}`, 'utf8')
}

/** UTF-8 text of `bytes` from `start` (a Buffer decodes without a view being made first). */
function utf8(bytes: Uint8Array, start: number): string {
  return Buffer.isBuffer(bytes)
    ? bytes.toString('utf8', start)
    : Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8')
}
