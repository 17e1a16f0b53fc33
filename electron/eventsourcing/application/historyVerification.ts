/**
 * Verify whole history: every stored event of one aggregate, from its creation, and every
 * snapshot against the event at its version, and the newest version against the aggregate
 * index. Unlike a replay it does not stop at the first problem: it lists each one (up to a
 * limit) and re-synchronises after it. It only reads, in ascending range reads of bounded size.
 */
import { restoreAggregate, topics } from '../domain/aggregate'
import type { DomainEvent } from '../domain/events'
import { aggregateTopicOfEventTopic } from '../domain/topics'
import { DataIntegrityError, TopicNotFound } from '../errors'
import type { Mapper } from '../persistence/mapper'
import type { AggregateRecorder, StoredRecord } from '../persistence/recorder'
import type { Snapshot, SnapshotStrategy } from './snapshotStrategy'
import { SnapshotStates } from './snapshotStates'
import {
  ChainCheck,
  snapshotLinkProblem,
  tailProblem,
  unlistedProblem,
  type AggregateIndex,
  type ChainProblem,
} from './verification'

export interface HistorySources {
  readonly events: AggregateRecorder
  readonly mapper: Mapper
  /** Snapshots to check against the events (any period they were taken with). */
  readonly snapshots?: SnapshotStrategy
  readonly index?: AggregateIndex
}

export interface VerifyHistoryOptions {
  readonly signal?: AbortSignal
  /** Called after each page: versions checked so far, and the versions to check in all. */
  readonly onProgress?: (done: number, total: number) => void
  /** Records per read (default 1,000). */
  readonly pageSize?: number
  /** Problems listed at most; more set `truncated` (default 100). */
  readonly maxProblems?: number
  /**
   * How long to wait before reading the index a last time when events go beyond it, for a
   * save in flight to be confirmed (default 1,000 ms; unlistedProblem).
   */
  readonly settleMs?: number
}

export interface HistoryVerification {
  readonly originatorId: string
  /** The aggregate class topic: the index entry's, else the creation event's. */
  readonly aggregateTopic: string | undefined
  /** The newest stored version (-1: no events). */
  readonly lastVersion: number
  readonly eventsChecked: number
  readonly snapshotsChecked: number
  readonly problems: readonly ChainProblem[]
  readonly truncated: boolean
}

export async function verifyHistory(
  sources: HistorySources,
  originatorId: string,
  options: VerifyHistoryOptions = {},
): Promise<HistoryVerification> {
  const pageSize = options.pageSize ?? 1000
  const maxProblems = options.maxProblems ?? 100
  const { events, mapper } = sources
  const [[newest], indexed] = await Promise.all([
    events.select(originatorId, { desc: true, limit: 1 }),
    sources.index?.(originatorId),
  ])
  const total = Math.max(newest?.originatorVersion ?? -1, indexed?.version ?? -1) + 1
  const problems: ChainProblem[] = []
  let truncated = false
  const reported = new Set<string>()
  const report = (problem: ChainProblem | undefined): void => {
    // A tampered event a snapshot stands on is found by both checks: list it once.
    const key = problem && `${problem.version}:${problem.problem}`
    if (!problem || reported.has(key!)) return
    reported.add(key!)
    if (problems.length < maxProblems) problems.push(problem)
    else truncated = true
  }
  const chain = new ChainCheck(originatorId, { version: 0, previousHash: '' })
  const snapshots = sources.snapshots
    ? new SnapshotCursor(sources.snapshots, originatorId, pageSize)
    : undefined
  let aggregateTopic = indexed?.aggregateTopic
  let states: SnapshotStates | undefined
  let eventsChecked = 0
  let lastVersion = -1
  let gt: number | undefined
  for (;;) {
    options.signal?.throwIfAborted()
    const records = await events.select(originatorId, {
      ...(gt === undefined ? {} : { gt }),
      limit: pageSize,
    })
    for (const record of records) {
      const version = record.originatorVersion
      if (version === 0 && aggregateTopic === undefined)
        aggregateTopic = aggregateTopicOfEventTopic(record.topic)
      // Replayed beside the walk when its class is registered, to compare snapshots' states.
      states ??= new SnapshotStates(
        mapper.transcoder,
        originatorId,
        snapshots !== undefined && aggregateTopic !== undefined && topics.has(aggregateTopic),
      )
      const event = decode(mapper, record)
      if (event instanceof DataIntegrityError) {
        report(chain.skipUnreadable(version, event.message))
        states.stop()
      } else {
        const problem = chain.inspect(event)
        report(problem)
        if (problem) states.stop()
        else states.apply(event)
      }
      if (snapshots) {
        for (const s of await snapshots.upTo(version)) {
          if (s.problem) report(s.problem)
          else if (s.version < version) report(orphanSnapshot(originatorId, s.version))
          else if (!(event instanceof DataIntegrityError)) {
            const unlinked = snapshotLinkProblem(originatorId, s.version, s.recordedHash, event)
            report(unlinked)
            if (!unlinked && s.snapshot) report(states.compare(s.snapshot))
          }
        }
      }
      eventsChecked += 1
      lastVersion = version
    }
    options.onProgress?.(lastVersion + 1, total)
    if (records.length < pageSize) break
    gt = lastVersion
  }
  if (snapshots) {
    for (const s of await snapshots.upTo(Number.MAX_SAFE_INTEGER))
      report(s.problem ?? orphanSnapshot(originatorId, s.version))
  }
  report(await tailProblem(events, indexed, originatorId, lastVersion))
  if (sources.index)
    report(
      await unlistedProblem(
        sources.index,
        indexed,
        originatorId,
        lastVersion,
        options.settleMs ?? 1000,
      ),
    )
  return {
    originatorId,
    aggregateTopic,
    lastVersion,
    eventsChecked,
    snapshotsChecked: snapshots?.checked ?? 0,
    problems,
    truncated,
  }
}

function decode(mapper: Mapper, record: StoredRecord): DomainEvent | DataIntegrityError {
  try {
    return mapper.recordToEvent(record)
  } catch (error) {
    if (error instanceof DataIntegrityError) return error
    throw error
  }
}

function orphanSnapshot(originatorId: string, version: number): ChainProblem {
  return {
    originatorId,
    version,
    problem: 'missing',
    message: `version ${version} of ${originatorId} is missing from the store: the snapshot at that version has no event to link to`,
  }
}

interface CheckedSnapshot {
  readonly version: number
  /**
   * The hash of the last event the snapshot's aggregate applied, as its state holds it (null:
   * discarded, no state; undefined: a state that holds none, which links to nothing).
   */
  readonly recordedHash: string | null | undefined
  /** Why the snapshot itself cannot be read, if it cannot. */
  readonly problem?: ChainProblem
  /** The snapshot, when it could be read. */
  readonly snapshot?: Snapshot
}

/** Walks an aggregate's snapshots in version order alongside its events, a page at a time. */
class SnapshotCursor {
  private buffer: StoredRecord[] = []
  private gt: number | undefined
  private exhausted = false
  checked = 0

  constructor(
    private readonly snapshots: SnapshotStrategy,
    private readonly originatorId: string,
    private readonly pageSize: number,
  ) {}

  /** The snapshots at versions ≤ `version` not returned before. */
  async upTo(version: number): Promise<CheckedSnapshot[]> {
    const out: CheckedSnapshot[] = []
    for (;;) {
      while (this.buffer.length > 0 && this.buffer[0]!.originatorVersion <= version) {
        out.push(this.check(this.buffer.shift()!))
      }
      if (this.buffer.length > 0 || this.exhausted) return out
      const records = await this.snapshots.recorder.select(this.originatorId, {
        ...(this.gt === undefined ? {} : { gt: this.gt }),
        limit: this.pageSize,
      })
      if (records.length < this.pageSize) this.exhausted = true
      if (records.length > 0) this.gt = records[records.length - 1]!.originatorVersion
      this.buffer = records
      if (records.length === 0) return out
    }
  }

  private check(record: StoredRecord): CheckedSnapshot {
    this.checked += 1
    const version = record.originatorVersion
    try {
      const snapshot = this.snapshots.decode(record)
      return { version, recordedHash: recordedHash(snapshot), snapshot }
    } catch (error) {
      if (!(error instanceof DataIntegrityError) && !(error instanceof TopicNotFound)) throw error
      return {
        version,
        recordedHash: undefined,
        problem: {
          originatorId: this.originatorId,
          version,
          problem: 'undecodable',
          message: `the snapshot at version ${version} of ${this.originatorId} cannot be read: ${error.message}`,
        },
      }
    }
  }
}

function recordedHash(snapshot: Snapshot): string | null | undefined {
  if (snapshot.state === null) return null
  if (topics.has(snapshot.topic)) return restoreAggregate(snapshot.topic, snapshot.state).lastHash
  // An aggregate whose class is not loaded: its state is plain data, holding the hash its
  // aggregate last applied (Aggregate's `_lastHash`), so the snapshot can still be linked.
  const hash = snapshot.state['_lastHash']
  return typeof hash === 'string' ? hash : undefined
}
