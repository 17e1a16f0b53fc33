/**
 * The Snapshots panel's reads: a page of stored snapshots without their states (the list), one
 * snapshot with its state cut (listSnapshots of one version, to open it), and the further
 * children of one snapshot's state. A snapshot's state can be megabytes (a 100,000-event
 * aggregate's: 0.5 MB stored, 3 MB of JSON, ~60 ms to decode), so a page reads and decodes up to
 * a byte budget rather than a count, and sends each state cut as getAggregate cuts it
 * (shared/statePages.ts); the tree asks for the rest with getStateChildren `{ snapshot: true }`.
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
 * Stored bytes a page of summaries reads at most (at least one snapshot): no state is decoded
 * for them, but records are read whole, and a client may ask for 1,000 of the largest.
 */
export const SUMMARY_PAGE_BYTES = 64 << 20

/** Records a page reads first, and at most at once: then as many as the sizes read so far fit. */
export const FIRST_READ = 8
export const READ_CHUNK = 64

/**
 * The newest records below `before` (exclusive; undefined: from the newest) that one page holds:
 * at most `limit`, and no more stored bytes than `budget` unless it is the first (so paging
 * always moves on). Read a few at a time, as many as the rest of the budget fits at the sizes
 * read so far, so a page of large records reads little past its budget; each read asks for one
 * more, which tells whether any is left. `more`: an older record exists beyond the page.
 */
export async function readWithinBytes<
  R extends { readonly state: Uint8Array; readonly originatorVersion: number },
>(
  read: (before: number | undefined, count: number) => Promise<readonly R[]>,
  before: number | undefined,
  limit: number,
  budget: number,
): Promise<{ page: R[]; more: boolean }> {
  const page: R[] = []
  let bytes = 0
  for (let below = before; ; below = page[page.length - 1]!.originatorVersion) {
    const fit =
      page.length === 0
        ? FIRST_READ
        : Math.ceil(((budget - bytes) * page.length) / Math.max(bytes, 1))
    const wanted = Math.max(1, Math.min(READ_CHUNK, limit - page.length, fit))
    const chunk = await read(below, wanted + 1)
    for (const record of chunk.slice(0, wanted)) {
      bytes += record.state.byteLength
      if (page.length > 0 && bytes > budget) return { page, more: true }
      page.push(record)
    }
    if (chunk.length <= wanted) return { page, more: false }
    if (page.length === limit) return { page, more: true }
  }
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
 * A page of the range's stored snapshot records, newest first, within `budget` stored bytes, and
 * what to send for the next page.
 */
async function recordPage(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshots'> | ParsedRequestOf<'listSnapshotSummaries'>,
  budget: number,
) {
  const { id, afterVersion, beforeVersion, limit } = request
  const { app } = ctx.conn()
  const { page, more } = await readWithinBytes(
    (before, count) =>
      app.snapshotRecords(id, {
        desc: true,
        limit: count,
        ...(afterVersion === undefined ? {} : { gt: afterVersion }),
        ...(before === undefined ? {} : { lt: before }),
      }),
    beforeVersion,
    limit,
    budget,
  )
  const oldest = page[page.length - 1]
  const next = more && oldest ? { nextBeforeVersion: oldest.originatorVersion } : {}
  return { app, page, next }
}

export async function listSnapshots(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshots'>,
): Promise<ResponseOf<'listSnapshots'>> {
  const { app, page, next } = await recordPage(ctx, request, SNAPSHOT_PAGE_BYTES)
  return { items: page.map((record) => listedSnapshotDto(app.decodeSnapshot(record))), ...next }
}

/** A page of stored snapshots without their states (SnapshotStrategy.decodeSummary). */
export async function listSnapshotSummaries(
  ctx: QueryContext,
  request: ParsedRequestOf<'listSnapshotSummaries'>,
): Promise<ResponseOf<'listSnapshotSummaries'>> {
  const { app, page, next } = await recordPage(ctx, request, SUMMARY_PAGE_BYTES)
  const items = page.map((record) =>
    summaryRow(record, () => {
      const { timestamp, topic, discarded } = app.decodeSnapshotSummary(record)
      return { timestamp: timestamp.toISOString(), type: topic, discarded }
    }),
  )
  return { items, ...next }
}

/**
 * A record's row in a list of summaries: what `read` says of it, or, when that raises a
 * DataIntegrityError (damaged, tampered with, another key), the reason in the row, so that the
 * other rows are still listed.
 */
export function summaryRow(
  record: {
    readonly originatorId: string
    readonly originatorVersion: number
    readonly state: Uint8Array
  },
  read: () => { timestamp: string; type: string; discarded: boolean },
): SnapshotSummaryDto {
  const { originatorId, originatorVersion: version } = record
  const listed = { originatorId, version, storedBytes: record.state.byteLength }
  try {
    return { ...listed, ...read() }
  } catch (error) {
    if (!(error instanceof DataIntegrityError)) throw error
    return { ...listed, timestamp: null, type: null, discarded: false, problem: error.message }
  }
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
