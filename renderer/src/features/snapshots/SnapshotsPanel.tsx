import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { useId, useMemo, useState } from 'react'
import { useApi } from '../../service'
import { useAction } from '../../ui/useAction'
import { keys } from '../../queries/keys'
import type {
  ResponseOf,
  SnapshotDto,
  SnapshotFailureDto,
  SnapshotSummaryDto,
} from '../../../../shared/contract'
import { formatBytes, formatCount, formatDateTime, type TimeZoneMode } from '../../lib/format'
import { useSelectionStore } from '../../stores/selectionStore'
import { JsonTree } from '../../ui/JsonTree'
import { useStatePages } from '../../queries/stateChildren'
import { ErrorAlert } from '../../ui/errors'
import { DiffList } from '../../ui/DiffList'
import { SnapshotFailureNote } from '../../ui/SnapshotFailure'
import { appendOlder, firstPage } from './snapshotPages'
import { snapshotSummaryPagesOptions } from '../../queries/snapshots'
import { usePythonStore } from '../../stores/useWriteBlock'
import './snapshots.css'

type Comparison = ResponseOf<'compareSnapshot'>

type Detail =
  | { kind: 'open'; version: number }
  | { kind: 'comparing'; version: number }
  | { kind: 'compared'; result: Comparison }
  | { kind: 'error'; version: number; action: 'compare'; error: unknown }

/**
 * The aggregate's snapshots, newest first, a page at a time ("Load older snapshots"), listed
 * without their states (a 100,000-event aggregate's are megabytes each): open one's state (asked
 * for then), or check it against a replay of the events. `snapshotFailure` (from the aggregate's
 * view): why no newer snapshot is taken, said above the list.
 */
export function SnapshotsPanel({
  aggregateId,
  snapshotFailure,
}: {
  aggregateId: string
  snapshotFailure?: SnapshotFailureDto | undefined
}) {
  const headingId = useId()
  const [detail, setDetail] = useState<Detail | undefined>(undefined)
  const timezone = useSelectionStore((state) => state.timezone)
  const python = usePythonStore()
  const api = useApi()
  // Newest first, a page at a time. A pushed change marks it stale (queries/serverEvents): the
  // pages are then fetched again from the newest, so snapshots taken since show at the top.
  const query = useInfiniteQuery(snapshotSummaryPagesOptions(api, aggregateId))
  const list = useMemo(() => {
    const [head, ...older] = query.data?.pages ?? []
    return head ? older.reduce(appendOlder, firstPage(head)) : undefined
  }, [query.data])
  const listError = query.error ?? undefined
  const loadingOlder = query.isFetchingNextPage
  const { fetchNextPage } = query
  const loadOlder = () => {
    if (!loadingOlder) void fetchNextPage()
  }

  const snapshots = list?.items
  const hasOlder = list?.nextBeforeVersion !== undefined

  const compareAction = useAction((version: number) =>
    api.compareSnapshot({ id: aggregateId, version, states: false }),
  )
  const compare = async ({ version }: SnapshotSummaryDto) => {
    setDetail({ kind: 'comparing', version })
    const outcome = await compareAction.run(version)
    setDetail(
      outcome.ok
        ? { kind: 'compared', result: outcome.value }
        : { kind: 'error', version, action: 'compare', error: outcome.error },
    )
  }

  return (
    <section className="snapshots-panel feature-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Snapshots
        {snapshots && (
          <span className="feature-count">
            {' '}
            ({formatCount(snapshots.length)}
            {hasOlder ? '+' : ''})
          </span>
        )}
      </h3>
      {listError !== undefined && (
        <ErrorAlert error={listError} context="Could not list the snapshots" />
      )}
      {snapshots === undefined && listError === undefined && (
        <p className="muted">Loading snapshots…</p>
      )}
      {snapshotFailure && snapshots !== undefined && (
        <SnapshotFailureNote
          failure={snapshotFailure}
          timezone={timezone}
          noneStored={snapshots.length === 0}
        />
      )}
      {snapshots?.length === 0 && !snapshotFailure && (
        <p className="muted">
          {python
            ? 'The Python application took no snapshots of this aggregate.'
            : 'No snapshots of this aggregate yet. The snapshotting policy takes one after a batch reaches a version that ends a snapshot period.'}
        </p>
      )}
      {snapshots !== undefined && snapshots.length > 0 && (
        <SnapshotsTable
          snapshots={snapshots}
          detail={detail}
          timezone={timezone}
          onOpen={({ version }) => setDetail({ kind: 'open', version })}
          onCompare={compare}
        />
      )}
      {hasOlder && (
        <div className="feature-actions snapshots-more">
          <button type="button" onClick={loadOlder} disabled={loadingOlder}>
            {loadingOlder ? 'Loading older snapshots…' : 'Load older snapshots'}
          </button>
        </div>
      )}
      <SnapshotDetail
        aggregateId={aggregateId}
        detail={detail}
        onClose={() => setDetail(undefined)}
      />
    </section>
  )
}

/** The listed snapshots, newest first, each with Open and Compare with replay. */
function SnapshotsTable({
  snapshots,
  detail,
  timezone,
  onOpen,
  onCompare,
}: {
  snapshots: readonly SnapshotSummaryDto[]
  detail: Detail | undefined
  timezone: TimeZoneMode
  onOpen: (snapshot: SnapshotSummaryDto) => void
  onCompare: (snapshot: SnapshotSummaryDto) => void
}) {
  return (
    <div className="snapshots-table-wrap">
      <table className="snapshots-table">
        <caption className="visually-hidden">Snapshots of this aggregate, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Taken at</th>
            <th scope="col">State</th>
            <th scope="col">Stored</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {snapshots.map((snapshot) => {
            const selected =
              (detail?.kind === 'open' && detail.version === snapshot.version) ||
              (detail?.kind === 'compared' &&
                detail.result.snapshot.version === snapshot.version) ||
              ((detail?.kind === 'comparing' || detail?.kind === 'error') &&
                detail.version === snapshot.version)
            return (
              <tr
                key={snapshot.version}
                className={selected ? 'is-selected' : undefined}
                aria-current={selected ? 'true' : undefined}
              >
                <th scope="row">v{snapshot.version}</th>
                <td>
                  {snapshot.timestamp === null ? (
                    <span className="muted">unknown</span>
                  ) : (
                    <time dateTime={snapshot.timestamp}>
                      {formatDateTime(snapshot.timestamp, timezone)}
                    </time>
                  )}
                </td>
                <td>
                  {snapshot.problem !== undefined ? (
                    <span className="snapshots-problem">Cannot be read: {snapshot.problem}</span>
                  ) : snapshot.discarded ? (
                    <span className="snapshots-discarded">Discarded (state null)</span>
                  ) : (
                    'Saved state'
                  )}
                </td>
                <td>{formatBytes(snapshot.storedBytes)}</td>
                <td>
                  <div className="snapshots-actions">
                    <button
                      type="button"
                      aria-label={`Open (snapshot v${snapshot.version})`}
                      onClick={() => onOpen(snapshot)}
                    >
                      Open
                    </button>
                    <button
                      type="button"
                      aria-label={`Compare with replay (snapshot v${snapshot.version})`}
                      onClick={() => onCompare(snapshot)}
                    >
                      Compare with replay
                    </button>
                  </div>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}

function SnapshotDetail({
  aggregateId,
  detail,
  onClose,
}: {
  aggregateId: string
  detail: Detail | undefined
  onClose: () => void
}) {
  const headingId = useId()
  if (!detail) return null
  const version =
    detail.kind === 'open'
      ? detail.version
      : detail.kind === 'compared'
        ? detail.result.snapshot.version
        : detail.version
  const title =
    detail.kind === 'open'
      ? `Snapshot v${version} state`
      : `Snapshot v${version} compared with replay`
  return (
    <div className="snapshots-detail" role="region" aria-labelledby={headingId}>
      <div className="snapshots-detail__header">
        <h4 id={headingId} className="feature-subheading">
          {title}
        </h4>
        <button
          type="button"
          className="btn btn-ghost btn-sm"
          aria-label={`Close ${title}`}
          onClick={onClose}
        >
          Close
        </button>
      </div>
      {detail.kind === 'open' && (
        <OpenedSnapshot aggregateId={aggregateId} version={version} label={title} />
      )}
      {detail.kind === 'comparing' && (
        <p className="muted" aria-busy="true">
          Replaying the events up to version {version}…
        </p>
      )}
      {detail.kind === 'error' && (
        <ErrorAlert error={detail.error} context="Could not compare the snapshot" />
      )}
      {detail.kind === 'compared' && <ComparisonResult result={detail.result} />}
    </div>
  )
}

function ComparisonResult({ result }: { result: Comparison }) {
  const version = result.snapshot.version
  if (result.matches) {
    return (
      <p role="status" className="feature-alert feature-alert--success">
        <span aria-hidden="true">✓ </span>
        Matches the state replayed from events (snapshot v{version}
        {result.snapshot.state === null ? ', discarded: state null' : ''}).
      </p>
    )
  }
  return (
    <div role="alert" className="feature-alert feature-alert--error">
      <p className="feature-alert__title">
        <span aria-hidden="true">✗ </span>
        Mismatch: snapshot v{version} differs from the state replayed from events
      </p>
      <p className="feature-alert__message">
        {result.differences.length} {result.differences.length === 1 ? 'difference' : 'differences'}{' '}
        (snapshot → replayed). The snapshot may be stale or damaged; loading from it would give a
        different state than the events do.
      </p>
      <DiffList
        entries={result.differences}
        label={`Differences between snapshot v${version} and the replayed state`}
      />
    </div>
  )
}

/** The stored snapshot at `version`, asked for when opened: its state, cut, or why not. */
function OpenedSnapshot({
  aggregateId,
  version,
  label,
}: {
  aggregateId: string
  version: number
  label: string
}) {
  const api = useApi()
  // Stored snapshots never change: kept while the panel lives (keys.snapshotAt).
  const query = useQuery({
    queryKey: keys.snapshotAt(aggregateId, version),
    queryFn: async () => {
      const { items } = await api.listSnapshots({
        id: aggregateId,
        ...(version > 0 ? { afterVersion: version - 1 } : {}),
        beforeVersion: version + 1,
        limit: 1,
      })
      const snapshot = items.find((s) => s.version === version)
      if (!snapshot) throw new Error(`There is no snapshot at version ${version} any more.`)
      return snapshot
    },
    staleTime: Infinity,
  })
  if (query.error) return <ErrorAlert error={query.error} context="Could not open the snapshot" />
  if (!query.data)
    return (
      <p className="muted" aria-busy="true">
        Loading the snapshot's state…
      </p>
    )
  if (query.data.state === null)
    return (
      <p className="snapshots-discarded">
        Discarded (state null): the aggregate was discarded at this version.
      </p>
    )
  return <PagedSnapshotState snapshot={query.data} label={label} />
}

/** A snapshot's state: the containers the answer cut are filled in as the tree shows more. */
function PagedSnapshotState({ snapshot, label }: { snapshot: SnapshotDto; label: string }) {
  const paging = useStatePages({
    id: snapshot.originatorId,
    version: snapshot.version,
    state: snapshot.state,
    stateOmitted: snapshot.stateOmitted,
    stateShortened: snapshot.stateShortened,
    snapshot: true,
  })
  return <JsonTree value={paging.value} label={label} paging={paging} />
}
