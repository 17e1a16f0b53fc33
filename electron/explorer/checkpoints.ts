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
    const stride = this.aggregates.get(originatorId)?.stride ?? 1
    return (version + 1) % (this.period * stride) === 0
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
   */
  add(originatorId: string, checkpoint: Checkpoint, horizon = checkpoint.version): void {
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
      const toCome = Math.floor((horizon + 1) / step) - Math.floor((checkpoint.version + 1) / step)
      return e.bytes + Math.max(0, toCome) * weight
    }
    while (projected(entry) > this.maxBytes / 2 && entry.list.length > 1) this.thin(entry)
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
    this.decodedSnapshots.length = 0
    this.aggregates.clear()
    this.totalBytes = 0
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

/** Each connection's checkpoints: a new store or key starts with none. */
export class CheckpointsByConnection {
  private readonly caches = new WeakMap<object, CheckpointCache>()

  constructor(
    private readonly maxBytes: number,
    private readonly copyShare = DEFAULT_COPY_SHARE,
  ) {}

  of(connection: object): CheckpointCache {
    let cache = this.caches.get(connection)
    if (!cache) {
      cache = new CheckpointCache(this.maxBytes, undefined, this.copyShare)
      this.caches.set(connection, cache)
    }
    return cache
  }
}
