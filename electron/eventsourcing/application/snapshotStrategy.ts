import { ConcurrencyError, DataIntegrityError } from '../errors'
import type { Mapper } from '../persistence/mapper'
import type { AggregateRecorder, StoredRecord } from '../persistence/recorder'
import { decompressPrefix } from '../persistence/recordCompression'
import { COMPRESSION, ENCRYPTED } from '../persistence/recordFlags'

export const SNAPSHOT_TOPIC = 'eventsourcing#Snapshot'

/** The state of an aggregate at one version; `state` is null once the aggregate is discarded. */
export interface Snapshot {
  readonly originatorId: string
  readonly originatorVersion: number
  readonly timestamp: Date
  /** The aggregate class topic. */
  readonly topic: string
  readonly state: Record<string, unknown> | null
}

/** What a list of snapshots shows of one: all but its state (SnapshotStrategy.decodeSummary). */
export interface SnapshotSummary {
  readonly originatorId: string
  readonly originatorVersion: number
  readonly timestamp: Date
  readonly topic: string
  /** Its state is null: the aggregate was discarded at this version. */
  readonly discarded: boolean
}

/**
 * Compressed bytes a summary decodes at most: the state's head (its time and type, written
 * first) takes a few dozen; the demo's largest snapshot is 410 KB of Brotli for 1.56 MB of JSON.
 */
const HEAD_INPUT_BYTES = 2048
/** Where the head ends: a key at the top level (a quote inside a JSON string is escaped). */
const STATE_KEY = ',"state":{'

/** Stores snapshots in their own table and finds the newest one at or below a version. */
export class SnapshotStrategy {
  constructor(
    readonly recorder: AggregateRecorder,
    private readonly mapper: Mapper,
  ) {}

  async put(snapshot: Snapshot): Promise<void> {
    const record = this.encode(snapshot)
    try {
      await this.recorder.insert([record])
    } catch (error) {
      // A snapshot at this version exists already: it holds the same state (versions are
      // immutable), so there is nothing to do.
      if (!(error instanceof ConcurrencyError)) throw error
    }
  }

  /**
   * Stores several encoded snapshots (of any aggregates): in one transaction where the
   * recorder can (insertIfAbsent: one sync of the disk for all), else one at a time. As `put`,
   * a snapshot stored already is left as it is.
   */
  async putRecords(records: readonly StoredRecord[]): Promise<void> {
    if (records.length === 0) return
    if (this.recorder.insertIfAbsent) return this.recorder.insertIfAbsent(records)
    for (const record of records) {
      try {
        await this.recorder.insert([record])
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error
      }
    }
  }

  /**
   * The record of a snapshot, as put() stores it (encoded now: a later change cannot reach it).
   * Its lists of like values are stored by column, and Brotli compresses it: a large state
   * decodes several times faster, and takes less room than zlib with its 32 KB window leaves.
   */
  encode(snapshot: Snapshot): StoredRecord {
    return this.mapper.toRecord(
      snapshot.originatorId,
      snapshot.originatorVersion,
      SNAPSHOT_TOPIC,
      { timestamp: snapshot.timestamp, topic: snapshot.topic, state: snapshot.state },
      { columns: true, brotli: true },
    )
  }

  /** The newest snapshot at a version ≤ lte (or the newest of all), else undefined. */
  async getSnapshot(
    originatorId: string,
    options: { lte?: number } = {},
  ): Promise<Snapshot | undefined> {
    const [record] = await this.recorder.select(originatorId, {
      desc: true,
      limit: 1,
      ...(options.lte === undefined ? {} : { lte: options.lte }),
    })
    return record ? this.decode(record) : undefined
  }

  /** Every snapshot of an aggregate, oldest first. */
  async list(originatorId: string): Promise<Snapshot[]> {
    const records = await this.recorder.select(originatorId)
    return records.map((r) => this.decode(r))
  }

  decode(record: StoredRecord): Snapshot {
    const fields = this.mapper.decodeState(record) as {
      timestamp?: unknown
      topic?: unknown
      state?: unknown
    } | null
    if (
      !fields ||
      !(fields.timestamp instanceof Date) ||
      typeof fields.topic !== 'string' ||
      (fields.state !== null && typeof fields.state !== 'object')
    ) {
      throw new DataIntegrityError(
        `snapshot ${record.originatorId} v${record.originatorVersion} is malformed`,
        {
          originatorId: record.originatorId,
          originatorVersion: record.originatorVersion,
        },
      )
    }
    return {
      originatorId: record.originatorId,
      originatorVersion: record.originatorVersion,
      timestamp: fields.timestamp,
      topic: fields.topic,
      state: fields.state as Record<string, unknown> | null,
    }
  }

  /**
   * The snapshot without its state, as `decode` reads it: from the head of the state's text
   * when the state is large (decrypted whole, its tag checked, then only the start of it
   * decompressed and parsed), else, or when the head is not as this strategy writes it, from a
   * whole decode. A large state damaged past its head is reported when it is decoded, not here.
   */
  decodeSummary(record: StoredRecord): SnapshotSummary {
    const head = this.summaryFromHead(record)
    if (head) return head
    const { timestamp, topic, state } = this.decode(record)
    const { originatorId, originatorVersion } = record
    return { originatorId, originatorVersion, timestamp, topic, discarded: state === null }
  }

  private summaryFromHead(record: StoredRecord): SnapshotSummary | undefined {
    const flags = record.state[0] ?? 0
    // Another format (or none this version knows): the whole decode says what it holds.
    if (flags & ~(COMPRESSION | ENCRYPTED) || record.state.length <= HEAD_INPUT_BYTES) return
    let text: string
    try {
      const { bytes, whole } = decompressPrefix(
        this.mapper.openedBody(record, flags),
        flags,
        HEAD_INPUT_BYTES,
      )
      if (whole) return
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
    } catch {
      return // the whole decode reports it
    }
    // Parsed only when the cut is at the top level: a cut inside a nested value leaves its
    // braces unbalanced.
    const cut = text.indexOf(STATE_KEY)
    if (cut === -1) return
    let fields: unknown
    try {
      fields = this.mapper.transcoder.decode(`${text.slice(0, cut)}}`)
    } catch {
      return
    }
    const { timestamp, topic } = (fields ?? {}) as { timestamp?: unknown; topic?: unknown }
    if (!(timestamp instanceof Date) || typeof topic !== 'string') return
    const { originatorId, originatorVersion } = record
    return { originatorId, originatorVersion, timestamp, topic, discarded: false }
  }
}
