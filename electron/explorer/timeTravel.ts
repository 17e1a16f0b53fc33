/**
 * `getAggregate { at }` for an aggregate whose definition is loaded (issue 10): replays forward
 * from the nearest in-memory checkpoint or stored snapshot at or below `at`, and keeps a
 * checkpoint every period of versions it passes (checkpoints.ts), so a first replay of a long
 * history builds them in the same pass and a later one replays at most one period.
 *
 * What a checkpoint is trusted for: it was built by a verified replay, so the chain up to it
 * was checked then (from creation, or from a linked snapshot). Answering from it, the stored
 * event at its version is read again and must still match its own hash and the hash the replay
 * verified there (so a history rewritten before it, which changes that event's hash, is seen);
 * the events after it are verified on the way. Any integrity failure drops the aggregate's
 * checkpoints and the caller falls back to the library's replay, which reports the break.
 */
import {
  type Aggregate,
  aggregateState,
  DataIntegrityError,
  integrityError,
  MAX_MISSED_PER_REPLAY,
  restoreAggregate,
  snapshotLinkProblem,
  topics,
  applyFailure,
  restoreSnapshot,
} from '../eventsourcing'
import type { Checkpoint, CheckpointCache, CheckpointOrigin, LiveState } from './checkpoints'
import type { Connection } from './connection'
import { INDEX_CHECKED, type HashChain } from './historyReads'
import type { AnswerTiming } from './answerTiming'

export interface TimeTravelRequest {
  readonly at: number
  readonly signal: AbortSignal
  readonly onProgress?: (version: number) => void
  /** Phases of this answer, when measuring (answerTiming.ts). */
  readonly timing?: AnswerTiming | undefined
}

/** What a replay gives getAggregate: the library's ReplayResult fits it too. */
export interface TimeTravelResult {
  readonly result: {
    readonly aggregate: Aggregate | undefined
    /**
     * The stored snapshot this load started from (decoded now, or a copy of an earlier answer's
     * decode kept as the checkpoint below).
     */
    readonly snapshot: { readonly originatorVersion: number } | undefined
    /** The in-memory checkpoint (or live state) this load started from. */
    readonly checkpoint?: Pick<Checkpoint, 'version' | 'verifiedAt'>
    readonly eventsApplied: number
  }
  readonly hashChain: HashChain
  /**
   * Keeps the answer's aggregate live for the next answer (checkpoints.ts): call it once the
   * answer no longer needs the aggregate, which the next answer may mutate.
   */
  readonly keepLive?: () => void
  /** How long decoding the stored snapshot it started from took (none decoded: undefined). */
  readonly snapshotDecodeMs?: number
}

/** What time travel needs of a connection. */
export type AppConnection = Pick<Connection, 'app'>

/** How a background fill (checkpointFill.ts) folds: small reads, a turn for others between. */
export interface FillPace {
  readonly pageSize: number
  betweenPages(): Promise<unknown>
}

/** Time a replay may always spend copying states into checkpoints. */
const COPY_FREE_MS = 10

export interface Start {
  readonly aggregate: Aggregate
  readonly version: number
  /** The hash the stored event at `version` must have. */
  readonly lastHash: string | undefined
  readonly origin: CheckpointOrigin
  readonly verifiedAt: Date
  readonly checkpoint?: Pick<Checkpoint, 'version' | 'verifiedAt'>
  /** A stored snapshot decoded now: how long that took. */
  readonly decodeMs?: number
}

/**
 * The aggregate as of `at` (≤ the latest stored version, which the caller checked against the
 * index), verified; undefined when this path cannot answer (a chain that fails a check, a
 * discarded snapshot) and the caller should replay through the library instead.
 */
export async function replayAt(
  c: AppConnection,
  cache: CheckpointCache,
  id: string,
  request: TimeTravelRequest,
): Promise<TimeTravelResult | undefined> {
  try {
    const start = await startFor(c, cache, id, request.at, request.timing)
    if (start === 'unsupported') return undefined
    request.timing?.mark('restoreMs')
    const answer = await fold(c, cache, id, start, request)
    // As a library replay would (SnapshottingPolicy): the due snapshots it passed, if missing.
    if (!start?.checkpoint)
      await takeMissedSnapshots(c, id, start?.version ?? -1, answer.result.aggregate?.version)
    request.timing?.mark('missedSnapshotsMs')
    return start?.decodeMs === undefined ? answer : { ...answer, snapshotDecodeMs: start.decodeMs }
  } catch (error) {
    if (!(error instanceof DataIntegrityError) || request.signal.aborted) throw error
    cache.drop(id)
    return undefined
  }
}

/**
 * Takes the newest MAX_MISSED_PER_REPLAY due snapshots in (from, reached] that are not stored,
 * as the library's SnapshottingPolicy does after a replay; never on a read-only connection.
 */
async function takeMissedSnapshots(
  c: AppConnection,
  id: string,
  from: number,
  reached: number | undefined,
): Promise<void> {
  const period = c.app.snapshotPeriod
  if (period <= 0 || c.app.readOnly || reached === undefined) return
  const due: number[] = []
  for (let v = reached - ((reached + 1) % period); v > from; v -= period) {
    if (due.length >= MAX_MISSED_PER_REPLAY) break
    due.push(v)
  }
  if (due.length === 0) return
  const stored = new Set(
    await c.app.snapshotVersions(id, { gte: due[due.length - 1]!, lte: due[0]! }),
  )
  const missing = due.filter((v) => !stored.has(v)).reverse()
  // A snapshot is an optimisation: the answer stands whatever happens; a failure goes to the
  // application's snapshot hooks (the connection's SnapshotFailures), and the next load retries.
  await c.app.takeSnapshots(id, missing)
}

/**
 * The cheapest start at or below `at`: the newest checkpoint or stored snapshot, or a farther
 * checkpoint when decoding the snapshot would cost more than replaying the events between
 * (CheckpointCache.startsFasterFrom); undefined: replay from creation. `forFill`: a background
 * fill's start, which leaves the live state and the record of answers' decodes alone.
 */
export async function startFor(
  c: AppConnection,
  cache: CheckpointCache,
  id: string,
  at: number,
  timing?: AnswerTiming,
  forFill = false,
): Promise<Start | undefined | 'unsupported'> {
  const live = forFill ? undefined : cache.takeLive(id, at)
  const checkpoint = cache.nearest(id, at)
  // Within one period of a checkpoint nothing stored can be much closer: no read of the
  // snapshot index. A live state does not skip it: it is the start only when it is closer than
  // any checkpoint and stored snapshot (otherwise the answer starts as it would without it).
  // (Not for a kept snapshot: stored snapshots may be closer together than checkpoints are.)
  const near =
    checkpoint !== undefined &&
    !isKeptSnapshot(checkpoint) &&
    at - checkpoint.version < cache.period
  if (!near) {
    const [snapshotVersion] = await c.app.snapshotVersions(id, { lte: at, desc: true, limit: 1 })
    const other = checkpoint?.version ?? -1
    if (
      snapshotVersion !== undefined &&
      snapshotVersion > other &&
      snapshotVersion >= (live?.aggregate.version ?? -1) &&
      !(checkpoint && cache.startsFasterFrom(checkpoint, snapshotVersion))
    ) {
      const began = performance.now()
      const [snapshot] = await c.app.snapshots(id, { gte: snapshotVersion, lte: snapshotVersion })
      if (!snapshot || snapshot.state === null) return 'unsupported'
      timing?.mark('snapshotReadDecodeMs')
      const aggregate = restoreSnapshot(snapshot, snapshot.state)
      const start: Start = {
        aggregate,
        version: snapshot.originatorVersion,
        lastHash: aggregate.lastHash,
        origin: { kind: 'snapshot', version: snapshot.originatorVersion },
        verifiedAt: new Date(),
        decodeMs: performance.now() - began,
      }
      if (checkpoint) cache.noteDecode(id, start.decodeMs!, start.version, checkpoint)
      // Trusted as the snapshot is: the fold checks its link to the stored event at its version
      // before anything else, and a failure there drops the aggregate's checkpoints.
      if (!forFill && !aggregate.isDiscarded && cache.decodedSnapshot(id, start.version))
        cache.add(id, checkpointOf(c, cache, aggregate, start.origin, start.verifiedAt))
      return start
    }
  }
  // Closer than any checkpoint or stored snapshot, and nothing to decode.
  if (live && live.aggregate.version > (checkpoint?.version ?? -1)) return liveStart(live)
  if (!checkpoint) return undefined
  const state = copyState(c, cache, checkpoint.state)
  return {
    aggregate: restoreAggregate(checkpoint.topic, state),
    version: checkpoint.version,
    lastHash: checkpoint.lastHash,
    origin: checkpoint.origin,
    verifiedAt: checkpoint.verifiedAt,
    checkpoint,
  }
}

function liveStart(live: LiveState): Start {
  const version = live.aggregate.version
  return {
    aggregate: live.aggregate,
    version,
    lastHash: live.lastHash,
    origin: live.origin,
    verifiedAt: live.verifiedAt,
    checkpoint: { version, verifiedAt: live.verifiedAt },
  }
}

/**
 * Replays from `start` to `at`, verified, keeping the due checkpoints it passes: within a share
 * of its time, or every one for a background fill (`fill`).
 */
export async function fold(
  c: AppConnection,
  cache: CheckpointCache,
  id: string,
  start: Start | undefined,
  { at, signal, onProgress, timing }: TimeTravelRequest,
  fill?: FillPace,
): Promise<TimeTravelResult> {
  let aggregate = start?.aggregate
  let applied = 0
  // The start's own event is read with the rest: it must still be the one verified there.
  let linkPending = start !== undefined
  const origin = start?.origin ?? { kind: 'fromCreation' }
  const verifiedAt = start?.verifiedAt ?? new Date()
  // Copying a large state costs more than replaying many events: the checkpoints may take a
  // bounded share of the replay's time (beyond a few ms; DEFAULT_COPY_SHARE).
  const began = performance.now()
  let copying = 0
  // A fill's pages: each one's own time per event (others' requests run between them).
  const pageRates: number[] = []
  let pageFrom = began
  // Time spent applying events (the rest of the fold is reading, decoding and verifying them).
  let applying = 0
  const canCopy = () =>
    fill !== undefined ||
    copying < COPY_FREE_MS ||
    copying < (performance.now() - began - copying) * cache.copyShare
  for await (const page of c.app.verifiedEventPages(id, {
    fromVersion: start?.version ?? 0,
    toVersion: at,
    signal,
    ...(fill ? { pageSize: fill.pageSize } : {}),
  })) {
    const pageBegan = timing ? performance.now() : 0
    const copiedBefore = copying
    for (const event of page) {
      if (linkPending) {
        linkPending = false
        const problem = snapshotLinkProblem(id, start!.version, start!.lastHash, event)
        if (problem) throw integrityError(problem)
        continue
      }
      try {
        aggregate = (event.mutate(aggregate ?? null) as Aggregate | null) ?? undefined
      } catch (error) {
        throw applyFailure(event, error)
      }
      applied += 1
      const version = event.originatorVersion
      if (
        aggregate &&
        !aggregate.isDiscarded &&
        cache.isDue(id, version) &&
        !cache.has(id, version) &&
        canCopy()
      ) {
        const before = performance.now()
        cache.add(id, checkpointOf(c, cache, aggregate, origin, verifiedAt), at, fill !== undefined)
        copying += performance.now() - before
      }
    }
    // Not the page that ends the answer: the answer itself follows at once, and reporting it
    // costs a message (and a render of the task list) on every short answer, such as a scrub.
    if (aggregate && aggregate.version < at) onProgress?.(aggregate.version)
    if (timing) applying += performance.now() - pageBegan
    if (fill) {
      const now = performance.now()
      pageRates.push((now - pageFrom - (copying - copiedBefore)) / Math.max(1, page.length))
      if (aggregate && aggregate.version < at) await fill.betweenPages()
      pageFrom = performance.now()
    }
  }
  // A fill's pages may also have waited for others' requests inside a read: the median page
  // says what replaying costs, not the total.
  if (fill) cache.noteFold(median(pageRates) * applied, applied)
  else cache.noteFold(performance.now() - began - copying, applied)
  timing?.mark('foldMs')
  timing?.add('applyMs (in foldMs)', applying - copying)
  timing?.add('checkpointsMs (in foldMs)', copying)
  const checkpoint = start?.checkpoint
  return {
    result: {
      aggregate,
      snapshot:
        start && (!checkpoint || isKeptSnapshot(start))
          ? { originatorVersion: start.version }
          : undefined,
      ...(checkpoint ? { checkpoint } : {}),
      eventsApplied: applied,
    },
    hashChain: chainOf(start, origin, applied, at),
    keepLive: () => {
      if (aggregate && !aggregate.isDiscarded && aggregate.version === at)
        cache.keepLive(id, { aggregate, lastHash: aggregate.lastHash, origin, verifiedAt })
    },
  }
}

/**
 * Whether a checkpoint, or a start from one, is a stored snapshot an earlier answer decoded and
 * kept (its origin is the snapshot at its own version).
 */
function isKeptSnapshot(at: {
  readonly version: number
  readonly origin: CheckpointOrigin
}): boolean {
  return at.origin.kind === 'snapshot' && at.origin.version === at.version
}

function checkpointOf(
  c: AppConnection,
  cache: CheckpointCache,
  aggregate: Aggregate,
  origin: CheckpointOrigin,
  verifiedAt: Date,
): Checkpoint {
  const weight = { bytes: 0 }
  const state = copyState(c, cache, aggregateState(aggregate), weight)
  return {
    version: aggregate.version,
    topic: topics.topicOf(aggregate.constructor as typeof Aggregate),
    state,
    bytes: weight.bytes,
    lastHash: aggregate.lastHash,
    origin,
    verifiedAt,
  }
}

/** A private copy of a state (JsonTranscoder.copy), its cost learned by the cache. */
function copyState(
  c: AppConnection,
  cache: CheckpointCache,
  state: unknown,
  weight = { bytes: 0 },
): Record<string, unknown> {
  const began = performance.now()
  const copy = c.app.mapper.transcoder.copy(state, weight) as Record<string, unknown>
  cache.noteCopy(performance.now() - began, weight.bytes)
  return copy
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[sorted.length >> 1] ?? 0
}

/** What this answer rests on, worded as historyReads.verifiedChain words a replay's. */
function chainOf(
  start: Start | undefined,
  origin: CheckpointOrigin,
  applied: number,
  at: number,
): HashChain {
  const events = `${applied} event${applied === 1 ? '' : 's'}`
  const latest = INDEX_CHECKED
  const checked =
    origin.kind === 'snapshot'
      ? {
          kind: 'snapshotLinked' as const,
          snapshotVersion: origin.version,
          fromVersion: origin.version + 1,
          toVersion: at,
        }
      : { kind: 'fromCreation' as const, toVersion: at }
  if (start?.checkpoint && isKeptSnapshot(start)) {
    const s = start.version
    return {
      status: 'verified',
      checked,
      message: `the snapshot at version ${s}, decoded by an earlier answer (${start.verifiedAt.toISOString()}) and kept as a checkpoint, links to the stored event at that version, and the ${events} after it follow it and match their hashes${latest}; versions before ${s} were not read`,
    }
  }
  if (start?.checkpoint) {
    const cp = start.checkpoint
    const before =
      origin.kind === 'snapshot'
        ? `the snapshot at version ${origin.version} and the events after it up to version ${cp.version}`
        : `all events from creation to version ${cp.version}`
    return {
      status: 'verified',
      checked,
      message: `${before} were verified when this app replayed them (${cp.verifiedAt.toISOString()}) and kept as a checkpoint; the stored event at version ${cp.version} still has the hash verified then, and the ${events} after it follow it and match their hashes${latest}`,
    }
  }
  if (start) {
    const s = start.version
    return {
      status: 'verified',
      checked,
      message: `the snapshot at version ${s} links to the stored event at that version, and the ${events} after it follow it and match their hashes${latest}; versions before ${s} were not read`,
    }
  }
  return {
    status: 'verified',
    checked,
    message: `all ${events} from creation to version ${at} follow one another and match their hashes${latest}`,
  }
}
