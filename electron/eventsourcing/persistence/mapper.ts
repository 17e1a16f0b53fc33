import { deflateSync, inflateSync } from 'node:zlib'
import { DataIntegrityError, EventSourcingError } from '../errors'
import { reconstructEvent, type DomainEvent } from '../domain/events'
import { topics as defaultTopics, type TopicRegistry } from '../domain/topics'
import type { AesGcmCipher } from './cipher'
import type { StoredRecord } from './recorder'
import { JsonTranscoder } from './transcoder'

/** First byte of every stored state: how the rest is encoded. */
const COMPRESSED = 0b01
const ENCRYPTED = 0b10
const COMPRESS_MIN_BYTES = 256

export interface MapperOptions {
  readonly registry?: TopicRegistry
  readonly cipher?: AesGcmCipher | undefined
  /** zlib before encryption (default true). */
  readonly compress?: boolean
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

  constructor(options: MapperOptions = {}) {
    this.registry = options.registry ?? defaultTopics
    this.transcoder = new JsonTranscoder(this.registry)
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
    const where = { originatorId: record.originatorId, originatorVersion: record.originatorVersion }
    const state = record.state
    if (state.length === 0) throw new DataIntegrityError(`empty state in ${describe(record)}`, where)
    const flags = state[0] ?? 0
    if ((flags & ~(COMPRESSED | ENCRYPTED)) !== 0) {
      throw new DataIntegrityError(`unknown state format ${flags} in ${describe(record)}`, where)
    }
    let body: Uint8Array = state.subarray(1)
    try {
      if (flags & ENCRYPTED) {
        if (!this.cipher) {
          throw new DataIntegrityError(
            `${describe(record)} is encrypted but no cipher key is configured`,
            where,
          )
        }
        body = this.cipher.decrypt(
          body,
          associatedData(record.originatorId, record.originatorVersion, record.topic),
        )
      } else if (this.cipher) {
        // Refuse plaintext where encryption is on: it was not written by this application.
        throw new DataIntegrityError(
          `${describe(record)} is not encrypted but this application encrypts everything`,
          where,
        )
      }
      if (flags & COMPRESSED) body = inflateSync(body)
      return this.transcoder.decode(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
    } catch (error) {
      if (error instanceof DataIntegrityError) {
        if (error.details.originatorId) throw error
        throw new DataIntegrityError(`${describe(record)}: ${error.message}`, where, { cause: error })
      }
      if (error instanceof EventSourcingError) throw error
      throw new DataIntegrityError(
        `${describe(record)} cannot be decoded: ${(error as Error).message}`,
        where,
        { cause: error },
      )
    }
  }

  /** Whether a record's state is encrypted, read from its format byte without decrypting. */
  static isEncrypted(record: StoredRecord): boolean {
    return ((record.state[0] ?? 0) & ENCRYPTED) !== 0
  }

  eventToRecord(event: DomainEvent): StoredRecord {
    const topic = this.registry.topicOf(event.constructor as new () => object)
    const { originatorId: _id, originatorVersion: _version, ...fields } = event as unknown as Record<string, unknown>
    return this.toRecord(event.originatorId, event.originatorVersion, topic, fields)
  }

  recordToEvent(record: StoredRecord): DomainEvent {
    const cls = this.registry.resolve(record.topic) as unknown as abstract new () => DomainEvent
    const fields = this.decodeState(record)
    if (fields === null || typeof fields !== 'object') {
      throw new DataIntegrityError(`${describe(record)} holds no event fields`, {
        originatorId: record.originatorId,
        originatorVersion: record.originatorVersion,
      })
    }
    return reconstructEvent(cls, {
      ...(fields as Record<string, unknown>),
      originatorId: record.originatorId,
      originatorVersion: record.originatorVersion,
    })
  }
}

function associatedData(originatorId: string, version: number, topic: string): Buffer {
  return Buffer.from(`${originatorId}\n${version}\n${topic}`, 'utf8')
}

function describe(record: StoredRecord): string {
  return `record ${record.originatorId} v${record.originatorVersion} (${record.topic})`
}
