/**
 * A Python store's stored records as the contract shows them, and the seeks every read method
 * starts from (handlers.ts, diffs.ts).
 */
import type { EventDto, SnapshotDto } from '../../../shared/contract'
import { AggregateNotFound, DataIntegrityError } from '../../eventsourcing'
import { pageState } from '../../../shared/statePages'
import { ApiFailure } from '../dispatch'
import { toDisplayJson } from '../displayJson'
import type { PythonRecord } from './codec'
import { aggregateTopicOf, EPOCH, isoOf, shortType } from './listing'
import type { PythonSession } from './session'

/** `firstVersion`: the aggregate's first stored version, whose event created it. */
export function eventDto(s: PythonSession, record: PythonRecord, firstVersion: number): EventDto {
  const fields = s.codec.decode(record)
  return {
    originatorId: record.originatorId,
    version: record.originatorVersion,
    topic: record.topic,
    type: shortType(record.topic),
    role: record.originatorVersion === firstVersion ? 'created' : 'changed',
    timestamp: isoOf(fields['timestamp']),
    payload: toDisplayJson(fields),
    payloadShortened: [],
    // No hash chain in a Python store.
    hash: '',
    previousHash: '',
  }
}

/** A stored event that cannot be decoded: what its row says, the reason in `problem`. */
export function damagedEventDto(
  record: PythonRecord,
  firstVersion: number,
  problem: string,
): EventDto {
  return {
    originatorId: record.originatorId,
    version: record.originatorVersion,
    topic: record.topic,
    type: shortType(record.topic),
    role: record.originatorVersion === firstVersion ? 'created' : 'changed',
    // Unknown: the contract's timestamp is required, `problem` says not to show it.
    timestamp: EPOCH,
    payload: null,
    payloadShortened: [],
    hash: '',
    previousHash: '',
    problem,
  }
}

export function snapshotDto(s: PythonSession, record: PythonRecord): SnapshotDto {
  const fields = s.codec.decode(record)
  return {
    originatorId: record.originatorId,
    version: record.originatorVersion,
    timestamp: isoOf(fields['timestamp']),
    type: typeof fields['topic'] === 'string' ? fields['topic'] : aggregateTopicOf(record.topic),
    // The library's Snapshot holds the aggregate's attributes in `state`.
    state: toDisplayJson(fields['state'] ?? null),
    stateOmitted: [],
    stateShortened: [],
  }
}

/** A stored snapshot that could not be read, and why (a DataIntegrityError's message). */
export interface UnreadableSnapshot {
  readonly version: number
  readonly problem: string
}

/**
 * The newest snapshot at or below `at` that can be read, and the newer ones that cannot: a
 * damaged snapshot (edited, truncated, another key) leaves the state to an older one, or to none,
 * instead of failing the whole answer.
 */
export async function readableSnapshotAtOrBelow(
  s: PythonSession,
  id: string,
  at: number,
): Promise<{
  found?: { record: PythonRecord; dto: SnapshotDto }
  unreadable: UnreadableSnapshot[]
}> {
  const unreadable: UnreadableSnapshot[] = []
  const pageSize = 8
  for (let lte = at; ;) {
    const page = await s.reader.snapshots(id, { lte, desc: true, limit: pageSize })
    for (const record of page) {
      try {
        return { found: { record, dto: snapshotDto(s, record) }, unreadable }
      } catch (error) {
        if (!(error instanceof DataIntegrityError)) throw error
        unreadable.push({ version: record.originatorVersion, problem: error.message })
      }
    }
    const last = page[page.length - 1]
    if (page.length < pageSize || !last) return { unreadable }
    lte = last.originatorVersion - 1
  }
}

/** A snapshot as the Snapshots panel lists it: its state cut (snapshotList.ts). */
export function listedSnapshotDto(s: PythonSession, record: PythonRecord): SnapshotDto {
  const whole = snapshotDto(s, record)
  const { state, omitted, shortened } = pageState(whole.state)
  return { ...whole, state, stateOmitted: omitted, stateShortened: shortened }
}

export async function newest(s: PythonSession, id: string): Promise<PythonRecord> {
  const [record] = await s.reader.events(id, { desc: true, limit: 1 })
  if (!record) throw new AggregateNotFound(id)
  return record
}

/** The aggregate's first stored event (its INITIAL_VERSION: 1, or 0 for some classes). */
export async function oldest(s: PythonSession, id: string): Promise<PythonRecord> {
  const [record] = await s.reader.events(id, { limit: 1 })
  if (!record) throw new AggregateNotFound(id)
  return record
}

export async function eventAtVersion(
  s: PythonSession,
  id: string,
  version: number,
): Promise<PythonRecord> {
  const [record] = await s.reader.events(id, { gt: version - 1, lte: version })
  if (!record) {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `version ${version} of ${id} is not stored`,
    })
  }
  return record
}
