import { hash, randomBytes } from 'node:crypto'
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
  /** The same as the driver's value, so requests encode it without parsing the text. */
  readonly positionId: cassandra.types.TimeUuid
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

/** SHA-256 of the topic, a zero byte and the state, cut to 16 bytes. */
export function digestOf(topic: string, state: Uint8Array): Buffer {
  // One buffer and a one-shot digest: a Hash object per save cost more than the hashing.
  const length = Buffer.byteLength(topic, 'utf8')
  const input = Buffer.allocUnsafe(length + 1 + state.byteLength)
  input.write(topic, 0, 'utf8')
  input[length] = 0
  input.set(state, length + 1)
  return hash('sha256', input, 'buffer').subarray(0, 16)
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

/** A log position: the driver's timeuuid, its text, and its time (ms and 100-ns ticks). */
export interface PositionStamp {
  readonly uuid: cassandra.types.TimeUuid
  readonly text: string
  readonly ms: number
  readonly ticks: number
}

/** Milliseconds between the UUID epoch (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET_MS = 12_219_292_800_000
const TWO_32 = 2 ** 32

/**
 * Timeuuids at a clock's time, increasing within a millisecond by their 100-ns ticks (as the
 * driver's `TimeUuid.now()` does), so one writer's positions keep the order of its saves. The
 * node and clock fields are drawn once per writer: the driver would draw random bytes for each.
 * The bytes are those of `TimeUuid.fromDate(date, ticks, node, clockSequence)`, written here
 * without the driver's Long arithmetic, and the text and the time come with them (parsing them
 * back from the uuid was a fifth of a save's intent).
 */
export class PositionClock {
  private ms = Number.NEGATIVE_INFINITY
  private tick = 0
  /** Bytes 8–15: the clock sequence with the IETF variant, then the node. */
  private readonly tail: Buffer

  constructor(private readonly now: () => number) {
    this.tail = Buffer.concat([randomBytes(2), randomBytes(6)])
    this.tail[0] = (this.tail[0]! & 0x3f) | 0x80
  }

  next(): PositionStamp {
    const ms = Math.trunc(this.now()) // a Date's milliseconds
    this.tick = ms === this.ms && this.tick < 9_999 ? this.tick + 1 : 0
    this.ms = ms
    const ticks = this.tick
    // 100-ns intervals since 1582 exceed 2^53: multiplied by 10,000 in two halves.
    const gregorian = ms + UUID_EPOCH_OFFSET_MS
    const high = Math.floor(gregorian / TWO_32)
    const low = (gregorian - high * TWO_32) * 10_000 + ticks
    const carry = Math.floor(low / TWO_32)
    const timeHigh = high * 10_000 + carry
    const bytes = Buffer.allocUnsafe(16)
    bytes.writeUInt32BE(low - carry * TWO_32, 0)
    bytes.writeUInt16BE(timeHigh & 0xffff, 4)
    bytes.writeUInt16BE(((timeHigh >>> 16) & 0x0fff) | 0x1000, 6) // version 1
    this.tail.copy(bytes, 8)
    const hex = bytes.toString('hex')
    const text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    return { uuid: new TimeUuid(bytes), text, ms, ticks }
  }
}
