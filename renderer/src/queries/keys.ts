/**
 * Every query key the renderer uses, in one place. Keys nest so that one prefix reaches a whole
 * family: `['aggregate', id]` is every version of one aggregate, `['events', id]` every page of
 * its events. A key names what the server would answer, never how the UI shows it.
 */
import type { AggregateOrder } from '../stores/aggregateListStore'

export interface AggregateListFilter {
  idPrefix: string
  type: string
  order: AggregateOrder
}

/** `latest` follows the newest version; a number is a past state, which never changes. */
export type VersionKey = number | 'latest'

export const keys = {
  connection: () => ['connection'] as const,
  aggregateTypes: () => ['aggregateTypes'] as const,
  aggregateLists: () => ['aggregates'] as const,
  aggregateList: (filter: AggregateListFilter) => ['aggregates', filter] as const,
  /** The window of the list read from its end (End): a query of its own, beside the start's. */
  aggregateListFromEnd: (filter: AggregateListFilter) => ['aggregates', filter, 'end'] as const,
  /** The store's aggregate count, for stores whose pages leave it out: stale with the lists. */
  aggregateCount: () => ['aggregates', 'count'] as const,
  /** Every cached version of one aggregate (or of all, without an id). */
  aggregate: (id?: string) =>
    id === undefined ? (['aggregate'] as const) : (['aggregate', id] as const),
  aggregateAt: (id: string, version: VersionKey) => ['aggregate', id, version] as const,
  /** Children offset… of the container at `path` (JSON of a StatePath) of a past version's state. */
  stateChildren: (id: string, version: number, path: string, offset: number) =>
    ['aggregate', id, version, 'children', path, offset] as const,
  /**
   * The same of the stored snapshot at a version (its own family: stored snapshots never change,
   * so what makes `snapshots` stale does not reach it).
   */
  /** The stored snapshot at a version, its state cut (opened in the Snapshots panel). */
  snapshotAt: (id: string, version: number) => ['snapshotState', id, version] as const,
  snapshotStateChildren: (id: string, version: number, path: string, offset: number) =>
    ['snapshotState', id, version, 'children', path, offset] as const,
  /** How long the last answer for an aggregate took (ms): set by its fetches, never fetched. */
  answerTime: (id: string) => ['answerTime', id] as const,
  events: (id: string) => ['events', id] as const,
  eventsPage: (id: string, page: number) => ['events', id, page] as const,
  snapshots: (id: string) => ['snapshots', id] as const,
  /** One aggregate's activity, or (without an id) the whole store's. */
  activity: (id?: string) =>
    id === undefined ? (['activity'] as const) : (['activity', id] as const),
  diff: (id: string) => ['diff', id] as const,
  /** A filtered forward scan: under `events` so that what makes the pages stale reaches it. */
  eventsScan: (id: string, search: string, type: string) =>
    ['events', id, 'scan', search, type] as const,
  /** Snapshot versions in (after, before): markers only, no states; under `snapshots`. */
  snapshotVersions: (id: string, after: number | null, before: number | null) =>
    ['snapshots', id, 'versions', after, before] as const,
  raw: (id: string, version: number) => ['raw', id, version] as const,
}

/** Everything one aggregate's history feeds: what a pushed change to it makes stale. */
export function perAggregateKeys(id: string): ReadonlyArray<readonly unknown[]> {
  return [
    keys.aggregateAt(id, 'latest'),
    keys.events(id),
    keys.snapshots(id),
    keys.activity(id),
    keys.diff(id),
  ]
}
