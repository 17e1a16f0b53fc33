/**
 * Aggregates whose type no loaded module registers (issue 8): their events decode as
 * UnregisteredEvents, which can be read and verified but not applied. Such an aggregate is
 * shown from its newest snapshot at or below the version asked for, with its hash chain checked
 * exactly as a replay would have (the snapshot linked to its event, the events after it
 * following one another), and is never replayed.
 */
import type { ResponseOf } from '../../shared/contract'
import {
  DataIntegrityError,
  type DomainEvent,
  eventTopicOf,
  integrityError,
  snapshotLinkProblem,
  topics,
} from '../eventsourcing'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'
import { cutDisplay, eventRole, type StateDisplay } from './dto'
import { eventAt, INDEX_CHECKED, type HashChain } from './historyReads'

/** Whether this app can replay aggregates of `aggregateTopic` (its class is registered). */
export function definitionLoaded(aggregateTopic: string): boolean {
  return topics.has(aggregateTopic)
}

/** The answer to what needs a replay, for an aggregate whose definition is not loaded. */
export function notReplayable(aggregateTopic: string): ApiFailure {
  return new ApiFailure({
    code: 'ValidationError',
    message: `no definition loaded for ${aggregateTopic}: versions cannot be replayed; compare snapshots instead`,
    details: { type: aggregateTopic, reason: 'definitionNotLoaded' },
  })
}

/** Refuses a replay of an aggregate whose definition is not loaded. */
export function requireDefinition(aggregateTopic: string): void {
  if (!definitionLoaded(aggregateTopic)) throw notReplayable(aggregateTopic)
}

interface SnapshotViewRequest {
  readonly id: string
  readonly type: string
  /** The version asked for (≤ latestVersion). */
  readonly at: number
  readonly latestVersion: number
  readonly signal: AbortSignal
  readonly onProgress?: (version: number) => void
  /** How the state is shown (getStateChildren's page; statePaging.ts); else cut (cutDisplay). */
  readonly display?: StateDisplay
}

/** The aggregate as of `at` from its newest snapshot at or below it; no event is applied. */
export async function snapshotView(
  c: Connection,
  request: SnapshotViewRequest,
): Promise<ResponseOf<'getAggregate'>> {
  const { id, at } = request
  const [snapshot] = await c.app.snapshots(id, { lte: at, desc: true, limit: 1 })
  const from = snapshot?.originatorVersion ?? 0
  let first: DomainEvent | undefined
  let last: DomainEvent | undefined
  let checked = 0
  let hashChain: HashChain
  try {
    for await (const page of c.app.verifiedEventPages(id, {
      fromVersion: from,
      toVersion: at,
      signal: request.signal,
    })) {
      first ??= page[0]
      last = page[page.length - 1] ?? last
      checked += page.length
      if (last) request.onProgress?.(last.originatorVersion)
    }
    if (snapshot) {
      const recorded = snapshot.state === null ? null : snapshot.state['_lastHash']
      const problem = snapshotLinkProblem(
        id,
        snapshot.originatorVersion,
        typeof recorded === 'string' || recorded === null ? recorded : undefined,
        first,
      )
      if (problem) throw integrityError(problem)
    }
    hashChain = checkedChain(snapshot?.originatorVersion, checked, at)
  } catch (error) {
    if (!(error instanceof DataIntegrityError) || request.signal.aborted) throw error
    const brokenAt = error.details.originatorVersion
    hashChain = {
      status: 'broken',
      message: `${error.message}. The state shown is the snapshot's as stored; no event was applied.`,
      ...(brokenAt === undefined ? {} : { brokenAtVersion: brokenAt }),
    }
    // The dates still come from the events, read without the check.
    first = undefined
    last = await eventAt(c, id, at)
  }
  const created = from === 0 && first ? first : await eventAt(c, id, 0)
  const lastEvent = last?.originatorVersion === at ? last : await eventAt(c, id, at)
  const discarded =
    snapshot?.state === null || eventRole(eventTopicOf(lastEvent) ?? '', at) === 'discarded'
  return {
    id,
    type: request.type,
    version: at,
    latestVersion: request.latestVersion,
    createdOn: created.timestamp.toISOString(),
    lastModified: lastEvent.timestamp.toISOString(),
    discarded,
    ...(request.display ?? cutDisplay)(!snapshot?.state || discarded ? null : snapshot.state),
    hashChain,
    encrypted: c.app.encrypted,
    ...(snapshot ? { loadedFromSnapshot: snapshot.originatorVersion } : {}),
    eventsReplayed: 0,
    definitionLoaded: false,
  }
}

/** What was checked, worded as for a replay (historyReads.verifiedChain), without applying. */
function checkedChain(snapshotVersion: number | undefined, checked: number, at: number): HashChain {
  const latest = INDEX_CHECKED
  const notApplied = ' No definition is loaded for this type: the events were checked, not applied.'
  if (snapshotVersion !== undefined) {
    const after = checked - 1
    const events = `${after} event${after === 1 ? '' : 's'}`
    return {
      status: 'verified',
      checked: {
        kind: 'snapshotLinked',
        snapshotVersion,
        fromVersion: snapshotVersion + 1,
        toVersion: at,
      },
      message: `the snapshot at version ${snapshotVersion} links to the stored event at that version, and the ${events} after it follow it and match their hashes${latest}; versions before ${snapshotVersion} were not read.${notApplied}`,
    }
  }
  const events = `${checked} event${checked === 1 ? '' : 's'}`
  return {
    status: 'verified',
    checked: { kind: 'fromCreation', toVersion: at },
    message: `all ${events} from creation to version ${at} follow one another and match their hashes${latest}.${notApplied}`,
  }
}
