/**
 * Reading one aggregate's stored history over a connection, for the query handlers: verified
 * replays (and the hash chain they checked), the latest version, single events.
 */
import type { ResponseOf } from '../../shared/contract'
import {
  AggregateNotFound,
  DataIntegrityError,
  type DomainEvent,
  type ReplayOptions,
  type ReplayResult,
  type StoredRecord,
} from '../eventsourcing'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'

export type HashChain = ResponseOf<'getAggregate'>['hashChain']

/**
 * Replays with the hash chain checked. When the check fails, replays again without it so the
 * state can still be shown, and reports where the chain broke; other integrity failures
 * (a wrong key, damaged bytes) still fail.
 */
export async function replay(
  c: Connection,
  id: string,
  options: ReplayOptions,
): Promise<{ result: ReplayResult; hashChain: HashChain }> {
  try {
    const result = await c.app.replay(id, options)
    return { result, hashChain: verifiedChain(result, options.at) }
  } catch (error) {
    if (!(error instanceof DataIntegrityError) || options.signal?.aborted) throw error
    const result = await c.app.replay(id, { ...options, verify: false })
    const brokenAt = error.details.originatorVersion
    return {
      result,
      hashChain: {
        status: 'broken',
        message: `${error.message}. The state shown was replayed without verification and may include tampered events.`,
        ...(brokenAt === undefined ? {} : { brokenAtVersion: brokenAt }),
      },
    }
  }
}

export async function latestRecord(c: Connection, id: string): Promise<StoredRecord> {
  const record = await c.app.latestRecord(id)
  if (!record) throw new AggregateNotFound(id)
  return record
}

/** The newest stored version and the aggregate class topic, checked against the index (a lost tail fails). */
export async function latest(
  c: Connection,
  id: string,
): Promise<{ version: number; aggregateTopic: string }> {
  const latest = await c.app.latest(id)
  if (!latest) throw new AggregateNotFound(id)
  return latest
}

/** The event at `version`, linked to the one before it and matching its hash. */
export async function verifiedEventAt(
  c: Connection,
  id: string,
  version: number,
): Promise<DomainEvent> {
  const event = await c.app.eventAt(id, version, { verify: true })
  if (!event) throw versionNotFound(id, version)
  return event
}

export async function eventAt(c: Connection, id: string, version: number): Promise<DomainEvent> {
  const event = await c.app.eventAt(id, version)
  if (!event) throw versionNotFound(id, version)
  return event
}

/**
 * What every answer's latest() checks of the aggregate index (tailProblem): that no version it
 * records is missing. The index may lag behind the events (SQLite folds it in batches), or have
 * no entry yet: then there is nothing it records to miss.
 */
export const INDEX_CHECKED = '; the stored events reach every version the aggregate index records'

/** What a verified load checked, exactly: the snapshot it linked and the events after it. */
export function verifiedChain(result: ReplayResult, at: number | undefined): HashChain {
  const n = result.eventsApplied
  const events = `${n} event${n === 1 ? '' : 's'}`
  const toVersion = result.aggregate?.version ?? at ?? 0
  const latest = INDEX_CHECKED
  if (result.snapshot) {
    const s = result.snapshot.originatorVersion
    return {
      status: 'verified',
      checked: { kind: 'snapshotLinked', snapshotVersion: s, fromVersion: s + 1, toVersion },
      message: `the snapshot at version ${s} links to the stored event at that version, and the ${events} after it follow it and match their hashes${latest}; versions before ${s} were not read`,
    }
  }
  return {
    status: 'verified',
    checked: { kind: 'fromCreation', toVersion },
    message: `all ${events} from creation to version ${toVersion} follow one another and match their hashes${latest}`,
  }
}

export function versionNotFound(id: string, version: number, latestVersion?: number): ApiFailure {
  return new ApiFailure({
    code: 'AggregateNotFound',
    message:
      latestVersion === undefined
        ? `there is no event at version ${version} of ${id}`
        : `version ${version} of ${id} does not exist; the latest is ${latestVersion}`,
    details: { id, version, ...(latestVersion === undefined ? {} : { latestVersion }) },
  })
}
