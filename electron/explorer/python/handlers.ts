/**
 * The explorer's read methods over a Python `eventsourcing` store. Its aggregates have no
 * definition loaded here, so, as for our own stores' unregistered types (snapshotOnly.ts): the
 * state at a version is the newest snapshot at or below it, plus the events after it shown as
 * stored, never applied. Python stores have no hash chain: the versions read are checked to
 * follow one another, nothing more, and the answers say so. Versions start where the
 * aggregate class says (INITIAL_VERSION: 1 by default, 0 for some): read, never assumed.
 */
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract'
import { AggregateNotFound, DataIntegrityError } from '../../eventsourcing'
import { childrenPage, pageState } from '../../../shared/statePages'
import { ApiFailure } from '../dispatch'
import { listedEvent, withinExportBytes } from '../dto'
import { notAContainer, wholeStateChildren } from '../statePaging'
import { noSnapshotAt, readWithinBytes, SNAPSHOT_PAGE_BYTES, summaryRow } from '../snapshotList'
import type { PythonRecord } from './codec'
import { diffVersions, getActivity, getEventDiff } from './diffs'
import { aggregateTopicOf, isoOf, listAggregates } from './listing'
import {
  damagedEventDto,
  eventAtVersion,
  eventDto,
  listedSnapshotDto,
  newest,
  oldest,
  readableSnapshotAtOrBelow,
  snapshotDto,
  type UnreadableSnapshot,
} from './records'
import type { PythonSession } from './session'

type Req<M extends Parameters<typeof handle>[1]> = ParsedRequestOf<M>

/** The state cut as the native handlers cut it (dto.ts cutDisplay; shared/statePages.ts). */
async function getAggregate(
  s: PythonSession,
  r: Req<'getAggregate'>,
): Promise<ResponseOf<'getAggregate'>> {
  const view = await wholeAggregate(s, r)
  const { state, omitted, shortened } = pageState(view.state)
  return { ...view, state, stateOmitted: omitted, stateShortened: shortened }
}

async function getStateChildren(
  s: PythonSession,
  r: ParsedRequestOf<'getStateChildren'>,
): Promise<ResponseOf<'getStateChildren'>> {
  if (!r.snapshot) return wholeStateChildren(r, (request) => wholeAggregate(s, request))
  const [record] = await s.reader.snapshots(r.id, { gt: r.at - 1, lte: r.at })
  if (!record) throw noSnapshotAt(r.id, r.at)
  const page = childrenPage(snapshotDto(s, record).state, r.path, r.offset, r.limit)
  if (!page) throw notAContainer(r.id, r.at, r.path)
  return page
}

async function wholeAggregate(
  s: PythonSession,
  r: Req<'getAggregate'>,
): Promise<ResponseOf<'getAggregate'>> {
  const last = await newest(s, r.id)
  const first = await oldest(s, r.id)
  const at = r.at ?? last.originatorVersion
  if (at > last.originatorVersion || at < first.originatorVersion)
    throw versionOutOfRange(r.id, at, first.originatorVersion, last.originatorVersion)
  const { found, unreadable: damagedSnapshots } = await readableSnapshotAtOrBelow(s, r.id, at)
  const snapshot = found?.record
  // Without a snapshot the events shown start at the first stored one (version 0 or 1).
  const from = snapshot?.originatorVersion ?? first.originatorVersion - 1
  const after = await s.reader.events(r.id, { gt: from, lte: at })
  // What can be checked without a hash chain: the versions after the snapshot follow it.
  const gap = after.findIndex((e, i) => e.originatorVersion !== from + 1 + i)
  const atRecord = after[after.length - 1] ?? (await eventAtVersion(s, r.id, at))
  const shown = found?.dto
  const type = shown?.type ?? aggregateTopicOf(first.topic)
  const pending =
    after.length === 0
      ? 'no event after it'
      : `${after.length} event${after.length === 1 ? '' : 's'} after it (v${from + 1}–v${at}), shown as stored and not applied`
  // A damaged first event (or the one at `at`) leaves its time unknown, not the snapshot unshown.
  const created = timeOf(s, first)
  const modified = timeOf(s, atRecord)
  const unreadable = [...new Set([created.problem, modified.problem])]
    .filter((p) => p !== undefined)
    .map((p) => ` Time unknown: ${p}.`)
    .concat(damagedSnapshots.map(skippedSnapshot))
    .join('')
  return {
    id: r.id,
    type,
    version: at,
    latestVersion: last.originatorVersion,
    createdOn: created.time,
    lastModified: modified.time,
    discarded: false,
    state: shown?.state ?? null,
    stateOmitted: [],
    stateShortened: [],
    hashChain:
      gap >= 0
        ? {
            status: 'broken',
            brokenAtVersion: from + 1 + gap,
            message: `version ${from + 1 + gap} of ${r.id} is missing from the store`,
          }
        : {
            status: 'absent',
            message: snapshot
              ? `snapshot v${from} + ${pending}. A Python eventsourcing store has no hash chain: only the order of versions was checked.${unreadable}`
              : `no snapshot at or below v${at}: no state to show; the ${after.length} events up to v${at} are shown as stored. A Python eventsourcing store has no hash chain: only the order of versions was checked.${unreadable}`,
          },
    // What the stored events are, when the store holds any; else whether a key is set.
    encrypted: s.encrypted ?? s.codec.hasKey,
    ...(snapshot ? { loadedFromSnapshot: from } : {}),
    eventsReplayed: 0,
    definitionLoaded: false,
  }
}

/** Why the state shown is not that of a newer snapshot. */
function skippedSnapshot({ version, problem }: UnreadableSnapshot): string {
  return ` The snapshot at v${version} is not used: it cannot be read (${problem}).`
}

/** The record's time, or null and why when it cannot be decoded. */
function timeOf(s: PythonSession, record: PythonRecord): { time: string | null; problem?: string } {
  try {
    return { time: isoOf(s.codec.decode(record)['timestamp']) }
  } catch (error) {
    if (!(error instanceof DataIntegrityError)) throw error
    return { time: null, problem: error.message }
  }
}

function versionOutOfRange(id: string, at: number, first: number, latest: number): ApiFailure {
  return new ApiFailure({
    code: 'ValidationError',
    message: `version ${at} of ${id} does not exist: its versions are ${first}–${latest}`,
    details: { latestVersion: latest },
  })
}

/** A timeline page: long payload strings shortened (listedEvent), as for our own stores. */
async function listEvents(
  s: PythonSession,
  r: Req<'listEvents'>,
): Promise<ResponseOf<'listEvents'>> {
  const page = await eventsPage(s, r)
  return { ...page, items: page.items.map(listedEvent) }
}

/** The events of a page, whole. */
async function eventsPage(
  s: PythonSession,
  r: Pick<Req<'listEvents'>, 'id' | 'fromVersion' | 'limit'> &
    Partial<Pick<Req<'listEvents'>, 'search' | 'types'>>,
): Promise<ResponseOf<'listEvents'>> {
  const last = await newest(s, r.id)
  const fromVersion = r.fromVersion
  const records = await s.reader.events(r.id, { gt: fromVersion - 1, limit: r.limit })
  // The store's first version (the class's INITIAL_VERSION, 1 or 0: read, not assumed): a page
  // from 0 starts with it; any other costs one more seek.
  const first =
    fromVersion === 0 && records[0] ? records[0] : (await s.reader.events(r.id, { limit: 1 }))[0]
  const firstVersion = first?.originatorVersion ?? last.originatorVersion
  const search = r.search?.toLowerCase()
  const types = r.types && r.types.length > 0 ? new Set(r.types) : undefined
  // Each record on its own: no hash chain links them, so one damaged row says nothing of the rest.
  const failures: DataIntegrityError[] = []
  const dtos = records.map((record) => {
    try {
      return eventDto(s, record, firstVersion)
    } catch (error) {
      if (!(error instanceof DataIntegrityError)) throw error
      failures.push(error)
      return damagedEventDto(record, firstVersion, error.message)
    }
  })
  const [failure] = failures
  if (failure && failures.length === records.length && s.keyStatus?.mismatch) {
    // Nothing read, and the key is not the store's (none, or another): as for our own stores,
    // the timeline draws the history's rows, the refusal explained once. With the right key a
    // page of damaged rows is listed as such, like any other.
    throw new ApiFailure({
      code: 'DataIntegrityError',
      message: failure.message,
      details: { ...failure.details, latestVersion: last.originatorVersion, firstVersion },
    })
  }
  // A damaged row is kept whatever the search: its payload cannot be searched, and hiding it
  // would hide the damage.
  const items = dtos.filter(
    (e) =>
      (!types || types.has(e.type)) &&
      (!search ||
        e.problem !== undefined ||
        JSON.stringify(e.payload).toLowerCase().includes(search)),
  )
  const lastRead = records[records.length - 1]
  return {
    items,
    ...(lastRead && lastRead.originatorVersion < last.originatorVersion
      ? { nextFromVersion: lastRead.originatorVersion + 1 }
      : {}),
    latestVersion: last.originatorVersion,
    firstVersion,
    scanned: records.length,
  }
}

async function getRawRecord(
  s: PythonSession,
  r: Req<'getRawRecord'>,
): Promise<ResponseOf<'getRawRecord'>> {
  const range = { gt: r.version - 1, lte: r.version }
  const [record] =
    r.kind === 'snapshot'
      ? await s.reader.snapshots(r.id, range)
      : await s.reader.events(r.id, range)
  if (!record) throw new AggregateNotFound(r.id)
  return {
    originatorId: record.originatorId,
    originatorVersion: record.originatorVersion,
    topic: record.topic,
    stateBase64: Buffer.from(record.state).toString('base64'),
    encrypted: s.codec.isEncrypted(record.state),
    byteLength: record.state.byteLength,
  }
}

/** A page of stored snapshots, each decoded whole: within SNAPSHOT_PAGE_BYTES (readWithinBytes). */
async function snapshotPage<T>(
  s: PythonSession,
  r: Req<'listSnapshots'> | Req<'listSnapshotSummaries'>,
  show: (record: PythonRecord) => T,
): Promise<{ items: T[]; nextBeforeVersion?: number }> {
  const { page, more } = await readWithinBytes(
    (before, count) =>
      s.reader.snapshots(r.id, {
        ...(r.afterVersion === undefined ? {} : { gt: r.afterVersion }),
        ...(before === undefined ? {} : { lte: before - 1 }),
        desc: true,
        limit: count,
      }),
    r.beforeVersion,
    r.limit,
    SNAPSHOT_PAGE_BYTES,
  )
  const lastItem = page[page.length - 1]
  return {
    items: page.map(show),
    ...(more && lastItem ? { nextBeforeVersion: lastItem.originatorVersion } : {}),
  }
}

function listSnapshots(
  s: PythonSession,
  r: Req<'listSnapshots'>,
): Promise<ResponseOf<'listSnapshots'>> {
  return snapshotPage(s, r, (record) => listedSnapshotDto(s, record))
}

/** Decoded whole: a Python store's snapshot states are JSON, with nothing to read apart. */
function listSnapshotSummaries(
  s: PythonSession,
  r: Req<'listSnapshotSummaries'>,
): Promise<ResponseOf<'listSnapshotSummaries'>> {
  return snapshotPage(s, r, (record) =>
    summaryRow(record, () => {
      const { timestamp, type, state } = snapshotDto(s, record)
      return { timestamp, type, discarded: state === null }
    }),
  )
}

async function listSnapshotVersions(
  s: PythonSession,
  r: Req<'listSnapshotVersions'>,
): Promise<ResponseOf<'listSnapshotVersions'>> {
  // The reader decodes nothing here: only the rows' versions are used.
  const records = await s.reader.snapshots(r.id, {
    ...(r.afterVersion === undefined ? {} : { gt: r.afterVersion }),
    ...(r.beforeVersion === undefined ? {} : { lte: r.beforeVersion - 1 }),
    desc: true,
    limit: r.limit + 1,
  })
  const versions = records.slice(0, r.limit).map((record) => record.originatorVersion)
  const last = versions[versions.length - 1]
  return {
    versions,
    ...(records.length > r.limit && last !== undefined ? { nextBeforeVersion: last } : {}),
  }
}

async function exportHistory(
  s: PythonSession,
  r: Req<'exportHistory'>,
): Promise<ResponseOf<'exportHistory'>> {
  const page = await eventsPage(s, { id: r.id, fromVersion: r.fromVersion, limit: r.limit })
  const [first] = await s.reader.events(r.id, { limit: 1 })
  const { events, stoppedAt } = withinExportBytes(page.items)
  const next = stoppedAt ?? page.nextFromVersion
  return {
    aggregateId: r.id,
    type: aggregateTopicOf(first?.topic ?? ''),
    exportedAt: new Date().toISOString(),
    latestVersion: page.latestVersion,
    events,
    ...(next === undefined ? {} : { nextFromVersion: next }),
  }
}

function unsupported(what: string): never {
  throw new ApiFailure({
    code: 'ValidationError',
    message: `${what} is not available for a Python eventsourcing store: no definition of its aggregates is loaded and it has no hash chain; compare snapshots instead`,
    details: { reason: 'definitionNotLoaded' },
  })
}

const handlers = {
  listAggregates,
  countAggregates: async (s: PythonSession) => ({ total: await s.countAggregates() }),
  getAggregate,
  getStateChildren,
  listEvents,
  getRawRecord,
  getEventDiff,
  diffVersions,
  listSnapshots,
  listSnapshotSummaries,
  listSnapshotVersions,
  compareSnapshot: () => unsupported('comparing a snapshot with a replay'),
  getActivity,
  exportHistory,
  verifyHistory: () => unsupported('verifying the hash chain'),
  verifyStore: () => unsupported('verifying the hash chain'),
}

export type PythonMethod = keyof typeof handlers

/** Runs one read method on a Python store. */
export function handle<M extends PythonMethod>(
  s: PythonSession,
  method: M,
  request: ParsedRequestOf<M>,
): Promise<ResponseOf<M>> {
  const handler = handlers[method] as unknown as (
    s: PythonSession,
    r: ParsedRequestOf<M>,
  ) => Promise<ResponseOf<M>> | never
  return Promise.resolve().then(() => handler(s, request))
}
