import { deflateSync, inflateSync } from 'node:zlib'
import { DataIntegrityError, EventSourcingError, TopicNotFound } from '../errors'
import { type DomainEvent, eventTopicOf, UnregisteredEvent } from '../domain/events'
import { topics as defaultTopics, type TopicRegistry } from '../domain/topics'
import type { AesGcmCipher } from './cipher'
import type { StoredRecord } from './recorder'
import { JsonTranscoder, type UnregisteredTopics } from './transcoder'

/** First byte of every stored state: how the rest is encoded. */
const COMPRESSED = 0b01
const ENCRYPTED = 0b10
const COMPRESS_MIN_BYTES = 256

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

  constructor(options: MapperOptions = {}) {
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
  ): StoredRecord {
    let body: Uint8Array = Buffer.from(this.transcoder.encode(fields), 'utf8')
    let flags = 0
    // Small states grow under zlib and cost an inflate on every replay: compress only when
    // it pays. The format byte records the choice per record.
    if (this.compress && body.length >= COMPRESS_MIN_BYTES) {
      const deflated = deflateSync(body)
      if (deflated.length < body.length) {
        body = deflated
        flags |= COMPRESSED
      }
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
  decodeState(record: StoredRecord): unknown {
    // Runs once per event on replay: the error details are built only when an error is thrown.
    const state = record.state
    if (state.length === 0)
      throw new DataIntegrityError(`empty state in ${describe(record)}`, where(record))
    const flags = state[0] ?? 0
    if ((flags & ~(COMPRESSED | ENCRYPTED)) !== 0) {
      throw new DataIntegrityError(
        `unknown state format ${flags} in ${describe(record)}`,
        where(record),
      )
    }
    try {
      let body: Uint8Array
      if (flags & ENCRYPTED) {
        if (!this.cipher) {
          throw new DataIntegrityError(
            `${describe(record)} is encrypted but no cipher key is configured`,
            where(record),
          )
        }
        body = this.cipher.decrypt(
          state.subarray(1),
          associatedData(record.originatorId, record.originatorVersion, record.topic),
        )
      } else if (this.cipher) {
        // Refuse plaintext where encryption is on: it was not written by this application.
        throw new DataIntegrityError(
          `${describe(record)} is not encrypted but this application encrypts everything`,
          where(record),
        )
      } else if (flags === 0) {
        // Plain JSON after the format byte: decode it in place, without a view per event.
        return this.transcoder.decode(utf8(state, 1))
      } else {
        body = state.subarray(1)
      }
      if (flags & COMPRESSED) body = inflateSync(body)
      return this.transcoder.decode(utf8(body, 0))
    } catch (error) {
      if (error instanceof DataIntegrityError) {
        if (error.details.originatorId) throw error
        throw new DataIntegrityError(`${describe(record)}: ${error.message}`, where(record), {
          cause: error,
        })
      }
      if (error instanceof EventSourcingError) throw error
      throw new DataIntegrityError(
        `${describe(record)} cannot be decoded: ${(error as Error).message}`,
        where(record),
        { cause: error },
      )
    }
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
    const {
      originatorId: _id,
      originatorVersion: _version,
      ...fields
    } = event as unknown as Record<string, unknown>
    return this.toRecord(event.originatorId, event.originatorVersion, topic, fields)
  }

  /** The event a record holds; an UnregisteredEvent when its topic is unregistered (`keep`). */
  recordToEvent(record: StoredRecord): DomainEvent {
    let cls: (abstract new () => DomainEvent) | undefined
    try {
      if (!this.keepUnregistered || this.registry.has(record.topic))
        cls = this.registry.resolve(record.topic) as unknown as abstract new () => DomainEvent
    } catch (error) {
      // A stored row naming no known event class cannot be trusted: say which row it is.
      if (!(error instanceof TopicNotFound)) throw error
      throw new DataIntegrityError(
        `${describe(record)} names a topic no event class is registered under`,
        where(record),
        { cause: error },
      )
    }
    const fields = this.decodeState(record)
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

function associatedData(originatorId: string, version: number, topic: string): Buffer {
  return Buffer.from(`${originatorId}\n${version}\n${topic}`, 'utf8')
}

/** UTF-8 text of `bytes` from `start` (a Buffer decodes without a view being made first). */
function utf8(bytes: Uint8Array, start: number): string {
  return Buffer.isBuffer(bytes)
    ? bytes.toString('utf8', start)
    : Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.byteLength - start).toString('utf8')
}

function where(record: StoredRecord): {
  originatorId: string
  originatorVersion: number
  problem: 'undecodable'
} {
  return {
    originatorId: record.originatorId,
    originatorVersion: record.originatorVersion,
    problem: 'undecodable',
  }
}

function describe(record: StoredRecord): string {
  return `record ${record.originatorId} v${record.originatorVersion} (${record.topic})`
}
