/**
 * The query handlers: aggregates, events, raw records, snapshots, export and verification
 * (activity: activity.ts; diffs: diffs.ts). Each reads through the connection its request
 * holds (`ctx.conn()`); the service owns the state they use (tasks, the remembered
 * verifications).
 */
import {
  LOWERCASE_UUID,
  type AggregateSummary,
  type EventDto,
  type ParsedRequestOf,
  type ResponseOf,
} from '../../shared/contract'
import { AggregateNotFound, DataIntegrityError, Mapper, TopicNotFound } from '../eventsourcing'
import type { AggregateSummary as StoreAggregateSummary } from '../eventsourcing'
import { AggregateSummary as AggregateSummarySchema } from '../../shared/schemas'
import type { Connection } from './connection'
import { ApiFailure } from './dispatch'
import { diffDisplay } from './displayDiff'
import {
  cutState,
  displayState,
  eventDto,
  eventRole,
  EXPORT_PAGE_BYTES,
  listedEvent,
  snapshotDto,
  type StateDisplay,
} from './dto'
import * as reads from './historyReads'
import { definitionLoaded, requireDefinition, snapshotView } from './snapshotOnly'
import { verifyStore as verifyWholeStore, verifyWholeHistory } from './storeVerification'
import type { CheckpointCache } from './checkpoints'
import { replayAt, type TimeTravelResult } from './timeTravel'
import { answerRunning, fillAfterSlowDecode } from './checkpointFill'
import { stateChildren } from './statePaging'
import { listedSnapshotDto, noSnapshotAt, snapshotChildren } from './snapshotList'

export { listSnapshots, listSnapshotSummaries } from './snapshotList'
export { diffVersions, getEventDiff } from './diffs'
import { answerTiming } from './answerTiming'

/** What the query handlers need of the service. */
export interface QueryContext {
  /** The connection this request started on (leased until the request ends). */
  conn(): Connection
  /** Runs a cancellable call; a newer call with the same taskId supersedes an older one. */
  runTask<T>(taskId: string | undefined, body: (signal: AbortSignal) => Promise<T>): Promise<T>
  /** A progress reporter for a task. */
  progress(taskId: string, total: number, label: string): (done: number) => void
  /** Events scanned at most by one filtered listEvents call. */
  readonly scanBudget: number
  /** The last Verify whole history without a problem, per aggregate (this connection only). */
  readonly wholeHistoryVerified: Map<string, { verifiedAt: string; toVersion: number }>
  /** The in-memory checkpoints of a connection's replayed aggregates (timeTravel.ts). */
  checkpoints(c: Connection): CheckpointCache
}

const SCAN_PAGE = 250
const EXPORT_PAGE = 1000
const MAX_REMEMBERED_VERIFICATIONS = 1000

export async function listAggregates(
  ctx: QueryContext,
  request: ParsedRequestOf<'listAggregates'>,
): Promise<ResponseOf<'listAggregates'>> {
  const { app } = ctx.conn()
  // Our stores keep the count in a counter: read in parallel with the page and sent with it.
  const counted = app.countAggregates()
  counted.catch(() => {}) // awaited below, unless the page fails first
  let page
  try {
    page = await app.listAggregates({
      limit: request.limit,
      order: request.order,
      from: request.from,
      ...(request.pageToken === undefined ? {} : { pageToken: request.pageToken }),
      ...(request.idPrefix === undefined ? {} : { idPrefix: request.idPrefix }),
      ...(request.type === undefined ? {} : { aggregateTopic: request.type }),
    })
  } catch (error) {
    if (request.pageToken !== undefined && error instanceof TypeError) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: 'the page token is not valid here; start again from the first page',
      })
    }
    throw error
  }
  const total = await counted
  return {
    items: page.items.flatMap((s): AggregateSummary[] => {
      const summary = listedSummary(s)
      return summary ? [summary] : []
    }),
    ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }),
    ...(page.prevPageToken === undefined ? {} : { prevPageToken: page.prevPageToken }),
    total,
  }
}

/**
 * An index row as the list shows it; undefined for one the contract cannot carry (an id that
 * is not a lower-case UUID, a date out of range, a version that is not one), which another
 * program wrote: left out of the page, so that the rest of the list still shows.
 */
function listedSummary(s: StoreAggregateSummary): AggregateSummary | undefined {
  const dates = [s.createdAt, s.lastModified]
  if (!dates.every((d) => d instanceof Date && Number.isFinite(d.getTime()))) return undefined
  const summary = {
    id: s.originatorId,
    type: s.aggregateTopic,
    version: s.version,
    createdAt: s.createdAt.toISOString(),
    lastModified: s.lastModified.toISOString(),
    discarded: eventRole(s.lastTopic) === 'discarded',
  }
  // Our stores' ids are UUIDs, which the contract's aggregateId (text, for Python stores) does
  // not insist on.
  if (!LOWERCASE_UUID.test(summary.id)) return undefined
  return AggregateSummarySchema.safeParse(summary).success ? summary : undefined
}

export async function countAggregates(ctx: QueryContext): Promise<ResponseOf<'countAggregates'>> {
  return { total: await ctx.conn().app.countAggregates() }
}

/** `display`: how the state is shown (getStateChildren's page; statePaging.ts), else cut. */
export async function getAggregate(
  ctx: QueryContext,
  { id, at, taskId }: ParsedRequestOf<'getAggregate'>,
  display?: StateDisplay,
): Promise<ResponseOf<'getAggregate'>> {
  const c = ctx.conn()
  const timing = answerTiming()
  const { version: latestVersion, aggregateTopic: type } = await reads.latest(c, id)
  timing?.mark('latestMs')
  const target = at ?? latestVersion
  if (target > latestVersion) throw reads.versionNotFound(id, target, latestVersion)
  const view = await ctx.runTask(taskId, async (signal): Promise<ResponseOf<'getAggregate'>> => {
    timing?.mark('queuedMs')
    const loaded = definitionLoaded(type)
    const progress = taskId
      ? ctx.progress(
          taskId,
          target + 1,
          `${loaded ? 'Replaying' : 'Verifying'} ${id.slice(0, 8)}… to version ${target}`,
        )
      : undefined
    const onProgress = progress ? { onProgress: (v: number) => progress(v + 1) } : {}
    const whole = ctx.wholeHistoryVerified.get(id)
    const snapshotOnly = async (): Promise<ResponseOf<'getAggregate'>> => {
      const view = await snapshotView(c, {
        id,
        type,
        at: target,
        latestVersion,
        signal,
        ...onProgress,
        display,
      })
      if (view.hashChain.status === 'verified' && whole) view.hashChain.wholeHistory = whole
      return view
    }
    // Without its definition, the aggregate is shown from its snapshots, never replayed.
    if (!loaded) return snapshotOnly()
    const checkpoints = ctx.checkpoints(c)
    // A store that now ends before some checkpoints is not the history they were built from.
    checkpoints.dropAbove(id, latestVersion)
    let replayed: TimeTravelResult
    const answered = answerRunning(checkpoints)
    try {
      replayed =
        (await replayAt(c, checkpoints, id, { at: target, signal, timing, ...onProgress })) ??
        (await reads.replay(c, id, { at: target, signal, ...onProgress }))
      timing?.mark('replayMs')
    } catch (error) {
      // Its class is loaded but one of its events' is not (another version of the module).
      if (error instanceof TopicNotFound) return snapshotOnly()
      throw error
    } finally {
      answered()
    }
    const { result, hashChain } = replayed
    fillAfterSlowDecode(c, checkpoints, id, latestVersion, replayed.snapshotDecodeMs)
    if (hashChain.status === 'verified' && whole) hashChain.wholeHistory = whole
    const aggregate = result.aggregate
    if (!aggregate) throw new AggregateNotFound(id)
    let createdOn = aggregate.createdOn as Date | undefined
    let lastModified = aggregate.lastModified
    if (!(createdOn instanceof Date)) {
      // Known only from a discarded (null) snapshot: take the dates from the events themselves.
      createdOn = (await reads.eventAt(c, id, 0)).timestamp
      lastModified = (await reads.eventAt(c, id, aggregate.version)).timestamp
    }
    const shown = cutState(aggregate, display)
    // The answer holds display JSON only: the aggregate may now serve the next answer.
    replayed.keepLive?.()
    timing?.mark('cutMs')
    timing?.write({
      at: target,
      from: result.checkpoint?.version ?? result.snapshot?.originatorVersion ?? null,
      start: result.checkpoint ? 'checkpoint' : result.snapshot ? 'snapshot' : 'creation',
      events: result.eventsApplied,
      page: display !== undefined,
    })
    return {
      id,
      type,
      version: aggregate.version,
      latestVersion,
      createdOn: createdOn.toISOString(),
      lastModified: lastModified.toISOString(),
      discarded: aggregate.isDiscarded,
      ...shown,
      hashChain,
      encrypted: c.app.encrypted,
      ...(result.snapshot ? { loadedFromSnapshot: result.snapshot.originatorVersion } : {}),
      ...(result.checkpoint
        ? {
            fromCheckpoint: {
              version: result.checkpoint.version,
              verifiedAt: result.checkpoint.verifiedAt.toISOString(),
            },
          }
        : {}),
      eventsReplayed: result.eventsApplied,
      definitionLoaded: true,
    }
  })
  // Read after the replay: a snapshot it found missing has just been tried again.
  const failure = c.snapshotFailures.latest(id)
  if (!failure) return view
  return { ...view, snapshotFailure: { ...failure, at: failure.at.toISOString() } }
}

export const getStateChildren = (ctx: QueryContext, r: ParsedRequestOf<'getStateChildren'>) =>
  r.snapshot
    ? snapshotChildren(ctx, r)
    : stateChildren(r, (display) =>
        getAggregate(ctx, { id: r.id, at: r.at, taskId: r.taskId }, display),
      )

/** The library creates every aggregate at version 0 (domain/aggregate.ts). */
const FIRST_VERSION = 0

export async function listEvents(
  ctx: QueryContext,
  request: ParsedRequestOf<'listEvents'>,
): Promise<ResponseOf<'listEvents'>> {
  const c = ctx.conn()
  const { id, fromVersion, limit } = request
  const latestVersion = (await c.app.latest(id))?.version ?? -1
  if (fromVersion > latestVersion)
    return { items: [], latestVersion, firstVersion: FIRST_VERSION, scanned: 0 }
  const needle = request.search?.toLowerCase() || undefined
  const types = request.types?.length ? new Set(request.types) : undefined
  return ctx
    .runTask(request.taskId, async (signal) => {
      const items: EventDto[] = []
      let scanned = 0
      let next: number | undefined
      if (!needle && !types) {
        for await (const page of c.app.verifiedEventPages(id, {
          fromVersion,
          toVersion: Math.min(latestVersion, fromVersion + limit - 1),
          pageSize: limit,
          signal,
        })) {
          for (const event of page) items.push(listedEvent(eventDto(event)))
          scanned += page.length
        }
        const last = items[items.length - 1]
        if (last && items.length === limit) next = last.version + 1
      } else {
        const progress = request.taskId
          ? ctx.progress(request.taskId, ctx.scanBudget, 'Searching events')
          : undefined
        scan: for await (const page of c.app.verifiedEventPages(id, {
          fromVersion,
          toVersion: latestVersion,
          pageSize: SCAN_PAGE,
          signal,
        })) {
          for (const event of page) {
            scanned += 1
            const dto = eventDto(event)
            if (
              (!types || types.has(dto.type)) &&
              (!needle || JSON.stringify(dto.payload).toLowerCase().includes(needle))
            ) {
              items.push(listedEvent(dto))
            }
            if (items.length >= limit || scanned >= ctx.scanBudget) {
              next = dto.version + 1
              break scan
            }
          }
          progress?.(scanned)
        }
      }
      if (next !== undefined && next > latestVersion) next = undefined
      return {
        items,
        ...(next === undefined ? {} : { nextFromVersion: next }),
        latestVersion,
        firstVersion: FIRST_VERSION,
        scanned,
      }
    })
    .catch((error: unknown) => {
      // The timeline draws the rows up to latestVersion, the bad one explained.
      if (!(error instanceof DataIntegrityError)) throw error
      throw new ApiFailure({
        code: 'DataIntegrityError',
        message: error.message,
        details: { ...error.details, latestVersion, firstVersion: FIRST_VERSION },
      })
    })
}

export async function getRawRecord(
  ctx: QueryContext,
  { id, version, kind }: ParsedRequestOf<'getRawRecord'>,
): Promise<ResponseOf<'getRawRecord'>> {
  const { app } = ctx.conn()
  const range = { gte: version, lte: version }
  const [record] = await (kind === 'event'
    ? app.eventRecords(id, range)
    : app.snapshotRecords(id, range))
  if (!record) {
    throw new ApiFailure({
      code: 'AggregateNotFound',
      message: `there is no ${kind} at version ${version} of ${id}`,
      details: { id, version, kind },
    })
  }
  const state = Buffer.from(record.state.buffer, record.state.byteOffset, record.state.byteLength)
  return {
    originatorId: record.originatorId,
    originatorVersion: record.originatorVersion,
    topic: record.topic,
    stateBase64: state.toString('base64'),
    encrypted: Mapper.isEncrypted(record),
    byteLength: state.byteLength,
  }
}

export async function listSnapshotVersions(
  ctx: QueryContext,
  { id, afterVersion, beforeVersion, limit }: ParsedRequestOf<'listSnapshotVersions'>,
): Promise<ResponseOf<'listSnapshotVersions'>> {
  // One more than asked for tells whether an older page exists.
  const versions = await ctx.conn().app.snapshotVersions(id, {
    desc: true,
    limit: limit + 1,
    ...(afterVersion === undefined ? {} : { gt: afterVersion }),
    ...(beforeVersion === undefined ? {} : { lt: beforeVersion }),
  })
  const page = versions.slice(0, limit)
  const oldest = page[page.length - 1]
  return {
    versions: page,
    ...(versions.length > limit && oldest !== undefined ? { nextBeforeVersion: oldest } : {}),
  }
}

export async function compareSnapshot(
  ctx: QueryContext,
  { id, version, states }: ParsedRequestOf<'compareSnapshot'>,
): Promise<ResponseOf<'compareSnapshot'>> {
  const c = ctx.conn()
  const [stored] = await c.app.snapshots(id, { gte: version, lte: version })
  if (!stored) throw noSnapshotAt(id, version)
  requireDefinition((await reads.latest(c, id)).aggregateTopic)
  const snapshot = snapshotDto(stored)
  const { result } = await reads.replay(c, id, { at: version, useSnapshots: false })
  const replayed = displayState(result.aggregate)
  const differences = diffDisplay(snapshot.state, replayed)
  const matches = differences.length === 0
  if (!states) return { snapshot: listedSnapshotDto(stored), matches, differences }
  return { snapshot, replayed, matches, differences }
}

export async function exportHistory(
  ctx: QueryContext,
  { id, fromVersion, limit, taskId }: ParsedRequestOf<'exportHistory'>,
): Promise<ResponseOf<'exportHistory'>> {
  const c = ctx.conn()
  const { version: latestVersion, aggregateTopic: type } = await reads.latest(c, id)
  // Versions are contiguous from 0, so the page is a version range; it ends at latestVersion
  // even if more is stored meanwhile, so the caller's pages add up to one moment's history.
  const lastVersion = Math.min(latestVersion, fromVersion + limit - 1)
  return ctx.runTask(taskId, async (signal) => {
    const progress = taskId
      ? ctx.progress(taskId, latestVersion + 1, `Exporting ${id.slice(0, 8)}…`)
      : undefined
    const events: EventDto[] = []
    let next = lastVersion < latestVersion ? lastVersion + 1 : undefined
    if (fromVersion <= lastVersion) {
      progress?.(fromVersion)
      let bytes = 0
      pages: for await (const page of c.app.verifiedEventPages(id, {
        fromVersion,
        toVersion: lastVersion,
        pageSize: Math.min(EXPORT_PAGE, limit),
        signal,
      })) {
        for (const event of page) {
          const dto = eventDto(event)
          // A page stops at EXPORT_PAGE_BYTES of payload text (at least one event): events of
          // megabytes each would otherwise make one answer past what can be encoded.
          bytes += JSON.stringify(dto.payload).length
          if (events.length > 0 && bytes > EXPORT_PAGE_BYTES) {
            next = dto.version
            break pages
          }
          events.push(dto)
        }
        progress?.(fromVersion + events.length)
      }
    }
    return {
      aggregateId: id,
      type,
      exportedAt: new Date().toISOString(),
      latestVersion,
      events,
      ...(next === undefined ? {} : { nextFromVersion: next }),
    }
  })
}

export async function verifyHistory(
  ctx: QueryContext,
  { id, taskId }: ParsedRequestOf<'verifyHistory'>,
): Promise<ResponseOf<'verifyHistory'>> {
  const c = ctx.conn()
  return ctx.runTask(taskId, async (signal) => {
    let progress: ((done: number) => void) | undefined
    const result = await verifyWholeHistory(c.app, id, {
      signal,
      ...(taskId
        ? {
            onProgress: (done: number, total: number) => {
              progress ??= ctx.progress(
                taskId,
                total,
                `Verifying ${id.slice(0, 8)}… (${total} versions)`,
              )
              progress(done)
            },
          }
        : {}),
    })
    if (result.lastVersion < 0) throw new AggregateNotFound(id)
    ctx.wholeHistoryVerified.delete(id)
    if (result.problems.length === 0) {
      ctx.wholeHistoryVerified.set(id, {
        verifiedAt: result.verifiedAt,
        toVersion: result.lastVersion,
      })
      if (ctx.wholeHistoryVerified.size > MAX_REMEMBERED_VERIFICATIONS) {
        const oldest = ctx.wholeHistoryVerified.keys().next().value
        if (oldest !== undefined) ctx.wholeHistoryVerified.delete(oldest)
      }
    }
    return result
  })
}

export async function verifyStore(
  ctx: QueryContext,
  { taskId }: ParsedRequestOf<'verifyStore'>,
): Promise<ResponseOf<'verifyStore'>> {
  const c = ctx.conn()
  return ctx.runTask(taskId, async (signal) => {
    let progress: ((done: number) => void) | undefined
    return verifyWholeStore(c.app, {
      signal,
      onProgress: (done, total) => {
        progress ??= ctx.progress(taskId, total, `Verifying ${total} aggregates`)
        progress(done)
      },
    })
  })
}
