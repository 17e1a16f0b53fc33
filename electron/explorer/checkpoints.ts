/**
 * In-memory checkpoints (issue 10): the states a verified replay passed, kept every `period`
 * versions so that a later `getAggregate { at }` replays at most one period of events. Memory
 * is bounded (EVENTSCOPE_CHECKPOINT_MB): the least recently used aggregate's checkpoints
 * go first, and an aggregate whose own checkpoints would take more than half the budget keeps
 * every second one (its stride doubles). Pure data: what a checkpoint may be trusted for is
 * decided by timeTravel.ts, which builds and uses them.
 */

import type { Aggregate } from '../eventsourcing'

/** Where the verified chain behind a checkpoint starts: creation, or a linked snapshot. */
export type CheckpointOrigin = { kind: 'fromCreation' } | { kind: 'snapshot'; version: number }

export interface Checkpoint {
  readonly version: number
  /** The aggregate class topic (to restore it). */
  readonly topic: string
  /**
   * The aggregate's state as the application's transcoder would decode it from a snapshot,
   * kept as objects (JsonTranscoder.copy) that nothing else holds: an answer restores a copy
   * of it, several times faster than decoding its text.
   */
  readonly state: Readonly<Record<string, unknown>>
  /** An estimate of the bytes the state holds (JsonTranscoder.copy's weight). */
  readonly bytes: number
  /** The hash of the event at `version`, as verified when the checkpoint was built. */
  readonly lastHash: string
  readonly origin: CheckpointOrigin
  /** When the replay that built it verified the chain up to it. */
  readonly verifiedAt: Date
}

/**
 * The aggregate the connection's last answer ended on, kept as it is (not copied): the next
 * answer at or a little after its version replays only the events between, with no decode (a
 * drag forward, a page of the state shown). Trusted as a checkpoint is: `lastHash` is the hash
 * of the stored event at its version, verified by the replay that built it.
 */
export interface LiveState {
  readonly aggregate: Aggregate
  readonly lastHash: string
  readonly origin: CheckpointOrigin
  readonly verifiedAt: Date
}

/**
 * Copying states into checkpoints may take 60 % of a replay's own time. A copy costs about a
 * third of encoding the state as text (what checkpoints were before), so a first replay of a
 * long history keeps most due checkpoints in about the time it spent encoding a quarter of them.
 */
export const DEFAULT_COPY_SHARE = 0.6

/** How many of the latest stored-snapshot decodes `decodedSnapshot` remembers. */
const RECENT_SNAPSHOT_DECODES = 4

/**
 * Until measured on the connection: reading and decoding a stored snapshot costs about two
 * copies of the same state (20,000 entities, stored by column with Brotli: 25–35 ms in the
 * server, a copy 13; older snapshots, element by element with zlib, about three copies); a
 * little less is assumed, so an answer starts from a farther checkpoint only when that is
 * clearly cheaper.
 */
const DEFAULT_DECODE_OVER_COPY = 1.8

/** Weight of the latest measurement in the running cost estimates. */
const COST_SMOOTHING = 0.3

/** Measurements too small to say much (a few events, a tiny state) are not learned from. */
const MIN_EVENTS_MEASURED = 50
const MIN_BYTES_MEASURED = 64 * 1024

/**
 * A stored snapshot that took at least this long to decode starts a background fill of the
 * aggregate's checkpoints (checkpointFill.ts): its answers were slow and will stay so.
 */
export const DEFAULT_FILL_AFTER_DECODE_MS = 15

interface AggregateCheckpoints {
  /** Ascending by version. */
  readonly list: Checkpoint[]
  bytes: number
  /** Checkpoints are kept at versions v with (v + 1) % (period × stride) === 0. */
  stride: number
}

/** A checkpoint's weight: its state and the object around it. */
function weightOf(checkpoint: Checkpoint): number {
  return checkpoint.bytes + checkpoint.topic.length + 256
}

export class CheckpointCache {
  /** In least-recently-used order: a use moves the aggregate to the end. */
  private readonly aggregates = new Map<string, AggregateCheckpoints>()
  private totalBytes = 0
  /** One live state at most: its size is not counted, so only one is kept. */
  private live: { readonly id: string; readonly state: LiveState } | undefined
  /** The stored snapshots the last few answers decoded (`id@version`), oldest first. */
  private readonly decodedSnapshots: string[] = []
  /** Running estimates of what a start costs (this connection's own measurements). */
  private eventMs: number | undefined
  private copyMsPerByte: number | undefined
  private decodeOverCopy = DEFAULT_DECODE_OVER_COPY

  constructor(
    /** Bytes all checkpoints may take together; 0 keeps none. */
    readonly maxBytes: number,
    /** Versions between two checkpoints (before any thinning). */
    readonly period = 100,
    /**
     * Beyond a few ms, the share of a replay's time that copying states into checkpoints may
     * take (the rest are skipped: copying a large state costs more than replaying many events).
     */
    readonly copyShare = DEFAULT_COPY_SHARE,
    /** A decode of a stored snapshot this slow starts a background fill; Infinity: never. */
    readonly fillAfterDecodeMs = DEFAULT_FILL_AFTER_DECODE_MS,
  ) {}

  get enabled(): boolean {
    return this.maxBytes > 0
  }

  /** Bytes in use (an estimate: the states' weights and a fixed overhead each). */
  get bytes(): number {
    return this.totalBytes
  }

  /** Whether a replay passing `version` should keep a checkpoint there. */
  isDue(originatorId: string, version: number): boolean {
    if (!this.enabled) return false
    return (version + 1) % this.spacing(originatorId) === 0
  }

  /**
   * Whether the due versions in (from, to] all have a checkpoint (at the aggregate's current
   * spacing): a fill has nothing left to do there.
   */
  coversDue(originatorId: string, from: number, to: number): boolean {
    if (!this.enabled) return true
    const step = this.spacing(originatorId)
    const held = new Set(this.aggregates.get(originatorId)?.list.map((c) => c.version))
    for (let v = (Math.floor((from + 1) / step) + 1) * step - 1; v <= to; v += step)
      if (!held.has(v)) return false
    return true
  }

  /** Learns what replaying costs per event (a fold's time without its copies). */
  noteFold(ms: number, events: number): void {
    if (events >= MIN_EVENTS_MEASURED) this.eventMs = smooth(this.eventMs, ms / events)
  }

  /** Learns what copying a state costs per byte of its weight. */
  noteCopy(ms: number, bytes: number): void {
    if (bytes >= MIN_BYTES_MEASURED) this.copyMsPerByte = smooth(this.copyMsPerByte, ms / bytes)
  }

  /**
   * Learns how a decode compares with a copy, from a stored snapshot decoded `ms` long and the
   * checkpoint just below it (within two spacings: a state of about the same size).
   */
  noteDecode(originatorId: string, ms: number, snapshotVersion: number, below: Checkpoint): void {
    if (this.copyMsPerByte === undefined || below.bytes < MIN_BYTES_MEASURED) return
    if (snapshotVersion - below.version > 2 * this.spacing(originatorId)) return
    this.decodeOverCopy = smooth(this.decodeOverCopy, ms / (below.bytes * this.copyMsPerByte))
  }

  /**
   * Whether an answer is cheaper from `checkpoint` (a copy, then the events after it) than
   * from the stored snapshot at `snapshotVersion` above it (a decode of a state about the
   * checkpoint's size, then the events after it). False until both the cost of an event and
   * of a copy have been measured on this connection.
   */
  startsFasterFrom(checkpoint: Checkpoint, snapshotVersion: number): boolean {
    if (this.eventMs === undefined || this.copyMsPerByte === undefined) return false
    const copyMs = checkpoint.bytes * this.copyMsPerByte
    const extraEventsMs = (snapshotVersion - checkpoint.version) * this.eventMs
    return extraEventsMs < (this.decodeOverCopy - 1) * copyMs
  }

  /** The newest checkpoint at or below `version` (marks the aggregate used). */
  nearest(originatorId: string, version: number): Checkpoint | undefined {
    const entry = this.touch(originatorId)
    if (!entry) return undefined
    const { list } = entry
    let lo = 0
    let hi = list.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (list[mid]!.version <= version) lo = mid + 1
      else hi = mid
    }
    return lo === 0 ? undefined : list[lo - 1]
  }

  /**
   * Keeps `state` as the live one (replacing any other). Whoever keeps it gives it up: the next
   * answer that takes it mutates it.
   */
  keepLive(originatorId: string, state: LiveState): void {
    if (this.enabled) this.live = { id: originatorId, state }
  }

  /**
   * The live state of the aggregate if it is at or below `version`, taken out (a request that
   * takes it owns it: two answers never replay onto one object); else undefined.
   */
  takeLive(originatorId: string, version: number): LiveState | undefined {
    const live = this.live
    if (!live || live.id !== originatorId || live.state.aggregate.version > version)
      return undefined
    this.live = undefined
    return live.state
  }

  /**
   * Records that an answer decoded the stored snapshot of `originatorId` at `version`, and says
   * whether one of the last few answers decoded it too: then it is worth keeping as a checkpoint
   * (a drag backwards decodes the same snapshot at every step; a random jump almost never
   * meets one again, and pays nothing for the copy).
   */
  decodedSnapshot(originatorId: string, version: number): boolean {
    if (!this.enabled) return false
    const key = `${version}@${originatorId}`
    const again = this.decodedSnapshots.includes(key)
    if (!again) {
      this.decodedSnapshots.push(key)
      if (this.decodedSnapshots.length > RECENT_SNAPSHOT_DECODES) this.decodedSnapshots.shift()
    }
    return again
  }

  has(originatorId: string, version: number): boolean {
    return this.aggregates.get(originatorId)?.list.some((c) => c.version === version) ?? false
  }

  /** Versions held for an aggregate, ascending (for tests and diagnostics). */
  versions(originatorId: string): number[] {
    return this.aggregates.get(originatorId)?.list.map((c) => c.version) ?? []
  }

  /**
   * Keeps `checkpoint`. With `horizon` (the version the replay adding it will reach), an
   * aggregate whose checkpoints would outgrow its share by then, each as heavy as this one,
   * is thinned now: a first replay of a long history does not copy states it would drop.
   * `fillingDown`: a background fill will also keep the due versions below it (states taken
   * to grow with their history: half as heavy on average), counted in the same way.
   */
  add(
    originatorId: string,
    checkpoint: Checkpoint,
    horizon = checkpoint.version,
    fillingDown = false,
  ): void {
    if (!this.enabled) return
    const weight = weightOf(checkpoint)
    if (weight > this.maxBytes / 2) return
    let entry = this.touch(originatorId)
    if (!entry) {
      entry = { list: [], bytes: 0, stride: 1 }
      this.aggregates.set(originatorId, entry)
    }
    const { list } = entry
    let at = list.length
    while (at > 0 && list[at - 1]!.version > checkpoint.version) at -= 1
    if (list[at - 1]?.version === checkpoint.version) return
    list.splice(at, 0, checkpoint)
    entry.bytes += weight
    this.totalBytes += weight
    // One aggregate may not crowd out all others: thin its own checkpoints first.
    const projected = (e: AggregateCheckpoints) => {
      const step = this.period * e.stride
      const dueUpTo = (v: number) => Math.floor((v + 1) / step)
      const above = Math.max(0, dueUpTo(horizon) - dueUpTo(checkpoint.version))
      const heldBelow = () => e.list.filter((c) => c.version < checkpoint.version).length
      const below = fillingDown ? Math.max(0, dueUpTo(checkpoint.version - 1) - heldBelow()) : 0
      return e.bytes + above * weight + (below * weight) / 2
    }
    while (projected(entry) > this.maxBytes / 2 && (entry.list.length > 1 || fillingDown))
      this.thin(entry)
    this.evict(originatorId)
  }

  /** Forgets an aggregate's checkpoints (its history is not what they were built from). */
  drop(originatorId: string): void {
    if (this.live?.id === originatorId) this.live = undefined
    const entry = this.aggregates.get(originatorId)
    if (!entry) return
    this.totalBytes -= entry.bytes
    this.aggregates.delete(originatorId)
  }

  /** Drops the checkpoints above `version` (the store now ends before them). */
  dropAbove(originatorId: string, version: number): void {
    if (this.live?.id === originatorId && this.live.state.aggregate.version > version)
      this.live = undefined
    const entry = this.aggregates.get(originatorId)
    if (!entry) return
    while (entry.list.length > 0 && entry.list[entry.list.length - 1]!.version > version) {
      const removed = entry.list.pop()!
      const weight = weightOf(removed)
      entry.bytes -= weight
      this.totalBytes -= weight
    }
    if (entry.list.length === 0) this.drop(originatorId)
  }

  clear(): void {
    this.live = undefined
    this.eventMs = undefined
    this.copyMsPerByte = undefined
    this.decodeOverCopy = DEFAULT_DECODE_OVER_COPY
    this.decodedSnapshots.length = 0
    this.aggregates.clear()
    this.totalBytes = 0
  }

  /** Versions between two of the aggregate's checkpoints now (the period × its stride). */
  private spacing(originatorId: string): number {
    return this.period * (this.aggregates.get(originatorId)?.stride ?? 1)
  }

  private touch(originatorId: string): AggregateCheckpoints | undefined {
    const entry = this.aggregates.get(originatorId)
    if (entry) {
      this.aggregates.delete(originatorId)
      this.aggregates.set(originatorId, entry)
    }
    return entry
  }

  /** Keeps every second checkpoint of the aggregate, and keeps only those from now on. */
  private thin(entry: AggregateCheckpoints): void {
    entry.stride *= 2
    const step = this.period * entry.stride
    const kept: Checkpoint[] = []
    for (const checkpoint of entry.list) {
      if ((checkpoint.version + 1) % step === 0) kept.push(checkpoint)
      else {
        const weight = weightOf(checkpoint)
        entry.bytes -= weight
        this.totalBytes -= weight
      }
    }
    entry.list.splice(0, entry.list.length, ...kept)
  }

  /** Drops least recently used aggregates until the total fits (never `keep`, just added to). */
  private evict(keep: string): void {
    for (const [id] of this.aggregates) {
      if (this.totalBytes <= this.maxBytes) return
      if (id !== keep) this.drop(id)
    }
  }
}

function smooth(estimate: number | undefined, measured: number): number {
  return estimate === undefined ? measured : estimate + COST_SMOOTHING * (measured - estimate)
}

/** Each connection's checkpoints: a new store or key starts with none. */
export class CheckpointsByConnection {
  private readonly caches = new WeakMap<object, CheckpointCache>()

  constructor(
    private readonly maxBytes: number,
    private readonly tuning: {
      readonly checkpointCopyShare?: number | undefined
      readonly checkpointFillAfterDecodeMs?: number | undefined
    } = {},
  ) {}

  of(connection: object): CheckpointCache {
    let cache = this.caches.get(connection)
    if (!cache) {
      const { checkpointCopyShare, checkpointFillAfterDecodeMs } = this.tuning
      cache = new CheckpointCache(
        this.maxBytes,
        undefined,
        checkpointCopyShare,
        checkpointFillAfterDecodeMs,
      )
      this.caches.set(connection, cache)
    }
    return cache
  }
}
