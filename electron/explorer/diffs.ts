/**
 * The Diff tab's queries: the change one event made, and the differences between two versions.
 * Both states come the way getAggregate gets one (a copy of the connection's nearest checkpoint
 * and the events after it, else a library replay) and are compared raw (displayDiff.ts): on the
 * demo's 20,000-entity aggregate each answer decoded a stored snapshot and converted and diffed
 * two whole states, 0.2–0.6 s of the server's thread per version shown (issue 10).
 */
import type { DiffEntry, ParsedRequestOf, ResponseOf } from '../../shared/contract'
import { type Aggregate, aggregateState, applyFailure } from '../eventsourcing'
import { answerRunning } from './checkpointFill'
import type { Connection } from './connection'
import { diffStates, rawEqual } from './displayDiff'
import { displayState } from './dto'
import * as reads from './historyReads'
import type { QueryContext } from './queries'
import { requireDefinition } from './snapshotOnly'
import { replayAt } from './timeTravel'

/**
 * The aggregate as of `at`, verified, in objects of its own (never kept live for the next
 * answer: the caller may change it). A chain that fails a check fails here, as a library replay
 * does: a diff never shows a state the store cannot vouch for.
 */
async function stateAt(
  ctx: QueryContext,
  c: Connection,
  id: string,
  at: number,
): Promise<Aggregate | undefined> {
  const checkpoints = ctx.checkpoints(c)
  const answered = answerRunning(checkpoints)
  try {
    const signal = new AbortController().signal
    const replayed = await replayAt(c, checkpoints, id, { at, signal })
    return replayed ? replayed.result.aggregate : (await c.app.replay(id, { at })).aggregate
  } finally {
    answered()
  }
}

const NOT_COPIED = Symbol('not copied')

/** A copy of `state` in objects of its own, or NOT_COPIED when the transcoder refuses a value. */
function copied(c: Connection, state: unknown): unknown {
  try {
    return c.app.mapper.transcoder.copy(state)
  } catch {
    // A function or a symbol in the state: no JSON copy of it (its display shows a placeholder).
    return NOT_COPIED
  }
}

/** What displayState shows, unconverted: null before creation and once discarded. */
function rawState(aggregate: Aggregate | undefined): unknown {
  return !aggregate || aggregate.isDiscarded ? null : aggregateState(aggregate)
}

export async function getEventDiff(
  ctx: QueryContext,
  { id, version }: ParsedRequestOf<'getEventDiff'>,
): Promise<DiffEntry[]> {
  const c = ctx.conn()
  const { version: latestVersion, aggregateTopic } = await reads.latest(c, id)
  if (version > latestVersion) throw reads.versionNotFound(id, version, latestVersion)
  requireDefinition(aggregateTopic)
  // The state before, and the verified event applied to it: the event is checked against the
  // one before it, whatever the state before was restored from.
  const previous = version === 0 ? undefined : await stateAt(ctx, c, id, version - 1)
  const event = await reads.verifiedEventAt(c, id, version)
  // The event changes the state in place, so `before` is kept apart: a copy when it is shown
  // exactly as the original is (a copy can lose what JSON loses, such as -0), else a second
  // restore.
  let before = rawState(previous)
  let base = previous
  if (before !== null) {
    const copy = copied(c, before)
    if (copy !== NOT_COPIED && rawEqual(copy, before)) before = copy
    else base = await stateAt(ctx, c, id, version - 1)
  }
  let after: Aggregate | undefined
  try {
    after = (event.mutate(base ?? null) as Aggregate | null) ?? undefined
  } catch (error) {
    throw applyFailure(event, error)
  }
  return diffStates(before, rawState(after))
}

export async function diffVersions(
  ctx: QueryContext,
  { id, from, to, states }: ParsedRequestOf<'diffVersions'>,
): Promise<ResponseOf<'diffVersions'>> {
  const c = ctx.conn()
  const { version: latestVersion, aggregateTopic } = await reads.latest(c, id)
  for (const v of [from, to])
    if (v > latestVersion) throw reads.versionNotFound(id, v, latestVersion)
  requireDefinition(aggregateTopic)
  // Verified replays: a broken chain fails the diff rather than showing tampered states.
  const fromAggregate = await stateAt(ctx, c, id, from)
  const toAggregate = await stateAt(ctx, c, id, to)
  // The two states may come from snapshots: the events between them must be there and linked.
  const range = { fromVersion: Math.min(from, to) + 1, toVersion: Math.max(from, to) }
  for await (const _page of c.app.verifiedEventPages(id, range)) void _page
  const diff = diffStates(rawState(fromAggregate), rawState(toAggregate))
  return states
    ? { from: displayState(fromAggregate), to: displayState(toAggregate), diff }
    : { diff }
}
