/**
 * The Snapshots panel's reads: a page of stored snapshots without their states (the list), one
 * snapshot with its state cut (listSnapshots of one version, to open it), and the further
 * children of one snapshot's state. A snapshot's state can be megabytes (a 100,000-event aggregate's: 0.5 MB
 * stored, 3 MB of JSON, ~60 ms to decode), so a page decodes stored states up to a byte budget
 * rather than a count, and sends each state cut as getAggregate cuts it (shared/statePages.ts);
 * the tree asks for the rest with getStateChildren `{ snapshot: true }`.
 */
import type {
  ParsedRequestOf,
  ResponseOf,
  SnapshotDto,
  SnapshotSummaryDto,
} from '../../shared/contract'
import { DataIntegrityError, type Snapshot } from '../eventsourcing'
import { ApiFailure } from './dispatch'
import { cutDisplay } from './dto'
import type { QueryContext } from './queries'
import { notAContainer, statePage } from './statePaging'

/**
 * Stored bytes of state one page decodes at most (at least one snapshot, so a page always
 * moves on): decoding is most of a page's time, and a stored byte can be six of JSON.
 */
export const SNAPSHOT_PAGE_BYTES = 2 << 20

/**
 * The first records of `records` (newest first, one more than `limit` read) that a page decodes:
 * at most `limit`, and no more stored state bytes than SNAPSHOT_PAGE_BYTES unless it is the
 * first. `more`: an older snapshot exists beyond the page.
 */
export function withinPageBytes<R extends { readonly state: Uint8Array }>(
  records: readonly R[],
  limit: number,
): { page: R[]; more: boolean } {
  const page: R[] = []
  let bytes = 0
  for (const record of records) {
    if (page.length === limit) break
    bytes += record.state.byteLength
    if (page.length > 0 && bytes > SNAPSHOT_PAGE_BYTES) break
    page.push(record)
  }
  return { page, more: records.length > page.length }
}

/** A snapshot as the Snapshots panel lists it: its state cut (its stateOmitted lists where). */
export function listedSnapshotDto(snapshot: Snapshot): SnapshotDto {
  const { state, stateOmitted, stateShortened } = cutDisplay(snapshot.state)
  return {
    originatorId: snapshot.originatorId,
    version: snapshot.originatorVersion,
    timestamp: snapshot.timestamp.toISOString(),
    type: snapshot.topic,
    state,
    stateOmitted,
    stateShortened,
  }
}

/**
 * A page of the range's stored snapshot records, newest first (one more than asked for is read:
 * it tells whether an older page exists), within SNAPSHOT_PAGE_BYTES when `decodesStates`, and
 * what to send for the next page.
 */
async function recordPage(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshots'> | ParsedRequestOf<'listSnapshotSummaries'>,
  decodesStates: boolean,
) {
  const { id, afterVersion, beforeVersion, limit } = request
  const { app } = ctx.conn()
  const records = await app.snapshotRecords(id, {
    desc: true,
    limit: limit + 1,
    ...(afterVersion === undefined ? {} : { gt: afterVersion }),
    ...(beforeVersion === undefined ? {} : { lt: beforeVersion }),
  })
  const { page, more } = decodesStates
    ? withinPageBytes(records, limit)
    : { page: records.slice(0, limit), more: records.length > limit }
  const oldest = page[page.length - 1]
  const next = more && oldest ? { nextBeforeVersion: oldest.originatorVersion } : {}
  return { app, page, next }
}

export async function listSnapshots(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshots'>,
): Promise<ResponseOf<'listSnapshots'>> {
  const { app, page, next } = await recordPage(ctx, request, true)
  return { items: page.map((record) => listedSnapshotDto(app.decodeSnapshot(record))), ...next }
}

/** A page of stored snapshots without their states (SnapshotStrategy.decodeSummary). */
export async function listSnapshotSummaries(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshotSummaries'>,
): Promise<ResponseOf<'listSnapshotSummaries'>> {
  const { app, page, next } = await recordPage(ctx, request, false)
  const { id } = request
  const items = page.map((record): SnapshotSummaryDto => {
    const listed = { originatorId: id, version: record.originatorVersion }
    const storedBytes = record.state.byteLength
    try {
      const { timestamp, topic, discarded } = app.decodeSnapshotSummary(record)
      return { ...listed, timestamp: timestamp.toISOString(), type: topic, discarded, storedBytes }
    } catch (error) {
      // One damaged record is reported in its row; the others are still listed.
      if (!(error instanceof DataIntegrityError)) throw error
      const problem = error.message
      return { ...listed, timestamp: null, type: null, discarded: false, storedBytes, problem }
    }
  })
  return { items, ...next }
}

export function noSnapshotAt(id: string, version: number): ApiFailure {
  return new ApiFailure({
    code: 'AggregateNotFound',
    message: `there is no snapshot at version ${version} of ${id}`,
    details: { id, version, kind: 'snapshot' },
  })
}

/** getStateChildren `{ snapshot: true }`: a page of the stored snapshot's state at `at`. */
export async function snapshotChildren(
  ctx: QueryContext,
  request: ParsedRequestOf<'getStateChildren'>,
): Promise<ResponseOf<'getStateChildren'>> {
  const { id, at, path } = request
  const { app } = ctx.conn()
  const [record] = await app.snapshotRecords(id, { gte: at, lte: at })
  if (!record) throw noSnapshotAt(id, at)
  const page = statePage(app.decodeSnapshot(record).state, request)
  if (!page) throw notAContainer(id, at, path)
  return page
}
