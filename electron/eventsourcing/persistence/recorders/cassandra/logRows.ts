import { createHash, randomBytes } from 'node:crypto'
import type { LogEntry } from '../../recorder'
import type cassandra from 'cassandra-driver'
import { Long, TimeUuid } from './driver'

// The application log's rows: intents, positions (timeuuids in hour buckets) and digests.

export const PENDING = 0
export const CONFIRMED = 1

export const HOUR_MS = 3_600_000

/** The log's partition of a position at this time (ms): its hour since the epoch. */
export function bucketOf(ms: number): number {
  return Math.floor(ms / HOUR_MS)
}

/** 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch. */
export const UUID_EPOCH_OFFSET = 122_192_928_000_000_000n

/** What `insert` writes before the events: enough to confirm, repair or drop it later. */
export interface Intent {
  readonly originatorId: string
  readonly shard: string
  readonly from: number
  readonly to: number
  readonly topics: string[]
  readonly aggregateTopic: string
  readonly lastTopic: string
  readonly bucket: number
  /** The position timeuuid, as a string. */
  readonly position: string
  readonly time: Date
  /** Write timestamp (microseconds) of the index cells: the position's time, so later wins. */
  readonly micros: Long
  readonly digest: Buffer
}

export interface Position {
  readonly bucket: number
  readonly uuid: string
}

export type LogVerdict = 'stored' | 'inflight' | 'abandoned'
export type ScanItem = { entry: LogEntry } | { blocked: true }

export function microsOf(uuid: string): Long {
  return Long.fromString(uuidMicros(uuid).toString())
}

export function digestOf(topic: string, state: Uint8Array): Buffer {
  return createHash('sha256')
    .update(topic, 'utf8')
    .update(Buffer.of(0))
    .update(state)
    .digest()
    .subarray(0, 16)
}

/** The 60-bit timestamp of a time-based UUID, in 100-ns intervals since 1582. */
export function uuidTicks(uuid: string): bigint {
  const hex = uuid.replace(/-/g, '')
  const low = BigInt(`0x${hex.slice(0, 8)}`)
  const mid = BigInt(`0x${hex.slice(8, 12)}`)
  const high = BigInt(`0x${hex.slice(12, 16)}`) & 0x0fffn
  return (high << 48n) | (mid << 32n) | low
}

export function uuidMicros(uuid: string): bigint {
  return (uuidTicks(uuid) - UUID_EPOCH_OFFSET) / 10n
}

export function uuidDate(uuid: string): Date {
  return new Date(Number(uuidMicros(uuid) / 1000n))
}

export function formatPosition(bucket: number, uuid: string): string {
  return `${bucket}:${uuid}`
}

export const POSITION_PATTERN =
  /^(\d{1,15}):([0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12})$/

export function parsePosition(position: string): Position {
  const m = POSITION_PATTERN.exec(position)
  if (!m) throw new TypeError(`invalid log position '${position}'`)
  return { bucket: Number(m[1]), uuid: m[2]! }
}

/**
 * Timeuuids at a clock's time, increasing within a millisecond by their 100-ns ticks (as the
 * driver's `TimeUuid.now()` does), so one writer's positions keep the order of its saves. The
 * node and clock fields are drawn once per writer: the driver would draw random bytes for each.
 */
export class PositionClock {
  private ms = Number.NEGATIVE_INFINITY
  private tick = 0
  private readonly node = randomBytes(6)
  private readonly clockSequence = randomBytes(2)

  constructor(private readonly now: () => number) {}

  next(): cassandra.types.TimeUuid {
    const ms = this.now()
    this.tick = ms === this.ms && this.tick < 9_999 ? this.tick + 1 : 0
    this.ms = ms
    return TimeUuid.fromDate(new Date(ms), this.tick, this.node, this.clockSequence)
  }
}
