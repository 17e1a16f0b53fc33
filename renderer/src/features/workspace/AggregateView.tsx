/**
 * The right column for a selected aggregate: header facts, the version scrubber, and tabs.
 * Only the open tab is mounted, so a panel's requests happen when the user looks at it.
 */
import { revealInvisible } from '../../ui/VisibleText'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import { memo, useEffect, useId, useRef, useState, type KeyboardEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateView as AggregateViewDto } from '../../../../shared/contract'
import { Scrubber } from '../scrubber/Scrubber'
import { explainError } from '../../ui/errors'
import { useAggregateAt } from '../../queries/aggregate'
import { TABS, useSelectionStore, type TabId } from '../../stores/selectionStore'
import { eventPageOptions, scrubberMarkersOptions } from '../../queries/timeline'
import { useApi } from '../../service'
import { ReadOnlyNotice } from '../../ui/ReadOnlyNotice'
import { useWriteBlock } from '../../stores/useWriteBlock'
import { AggregateHeader } from './AggregateHeader'
import { NoDefinitionNote } from './NoDefinitionNote'
import { prefetchTab } from './tabPrefetch'
import { PagedState } from './PagedState'
import { LazyPart } from '../../ui/LazyPart'
import { whenIdle } from '../../ui/lazyWithPreload'
import {
  ActivityPanel,
  CommandsPanel,
  ConflictDemo,
  DiffPanel,
  panelReady,
  preloadPanels,
  preloadTab,
  SnapshotsPanel,
  Timeline,
} from './lazyPanels'

const TAB_LABELS: Record<TabId, string> = {
  state: 'State',
  timeline: 'Timeline',
  diff: 'Diff',
  snapshots: 'Snapshots',
  commands: 'Commands',
  conflict: 'Conflict demo',
  activity: 'Activity',
}

const NO_MARKERS: number[] = []

/**
 * How long after an aggregate view first shows its tabs' code is preloaded (when the page is
 * idle): after the view's own first answers, before the user is likely to open a tab.
 */
const PRELOAD_PANELS_AFTER_MS = 1000

export function AggregateView({ aggregateId }: { aggregateId: string }) {
  const ids = useId()
  const { tab, version } = useSelectionStore(
    useShallow((s) => ({ tab: s.tab, version: s.version })),
  )
  const { view, loading, error, reload } = useAggregateAt(aggregateId, version)
  const api = useApi()
  // The first page of events says how long the history is, and is refetched on every pushed
  // change: the slider's end follows it even while a past version is shown.
  const firstPage = useQuery(eventPageOptions(api, aggregateId, 0)).data
  const timelineLatest = firstPage?.latestVersion ?? -1
  // Where the history starts, as the store reports it (1 in Python stores): the slider's start.
  const firstVersion = firstPage?.firstVersion ?? 0
  const snapshotVersions = useQuery(scrubberMarkersOptions(api, aggregateId)).data ?? NO_MARKERS

  const latest = Math.max(view?.latestVersion ?? -1, timelineLatest)
  const selected = version ?? latest
  // Each view asks; a chunk already loaded is skipped (preloadPanels).
  useEffect(
    () => whenIdle(() => void preloadPanels().catch(() => undefined), PRELOAD_PANELS_AFTER_MS),
    [],
  )

  return (
    <section className="aggregate-view" aria-label={`Aggregate ${revealInvisible(aggregateId)}`}>
      <AggregateHeader aggregateId={aggregateId} view={view} latestVersion={latest} error={error} />

      <Scrubber
        first={firstVersion}
        latest={latest}
        shownVersion={view?.version ?? null}
        loading={loading}
        snapshotVersions={snapshotVersions}
      />

      <AggregateTabs ids={ids} aggregateId={aggregateId} />

      <div
        className="tab-panel"
        role="tabpanel"
        id={`${ids}-panel`}
        aria-labelledby={`${ids}-tab-${tab}`}
        tabIndex={-1}
      >
        {error && (
          <div className="panel-message" role="alert">
            <strong>
              {view && view.version !== selected ? `Version ${selected} could not be shown. ` : ''}
              {explainError(error)}
            </strong>
            <p className="muted">
              {error.message}
              {/* The last version shown stays below: say which it is. */}
              {view && view.version !== selected ? ` Still shown: version ${view.version}.` : ''}
            </p>
            <button type="button" className="btn" onClick={reload}>
              Retry
            </button>
          </div>
        )}
        {/* The other tabs still work: the timeline shows where the history went wrong. */}
        {(view || !error || tab !== 'state') && (
          <TabContent
            tab={tab}
            aggregateId={aggregateId}
            version={selected}
            first={firstVersion}
            latest={latest}
            view={view}
          />
        )}
      </div>
    </section>
  )
}

/**
 * The tab list. Memoised, with the selection read here: a slider step renders the view again,
 * and the tabs need not follow (issue 10).
 */
const AggregateTabs = memo(function AggregateTabs({
  ids,
  aggregateId,
}: {
  ids: string
  aggregateId: string
}) {
  const { tab, setTab } = useSelectionStore(useShallow((s) => ({ tab: s.tab, setTab: s.setTab })))
  const tabRefs = useRef(new Map<TabId, HTMLButtonElement>())
  // A tab waiting for its panel's chunk (panelReady); a later choice replaces it. The ref is
  // what the chunk's arrival checks; the state shows the wait on the tab.
  const pending = useRef<TabId | undefined>(undefined)
  const [waitingFor, setWaitingFor] = useState<TabId | undefined>(undefined)
  const client = useQueryClient()
  const api = useApi()
  const select = (id: TabId) => {
    if (id !== tab) prefetchTab(id, client, api, aggregateId)
    const ready = panelReady(id)
    pending.current = ready === true ? undefined : id
    setWaitingFor(pending.current)
    if (ready === true) setTab(id)
    else
      void ready.then(() => {
        if (pending.current !== id) return
        pending.current = undefined
        setWaitingFor(undefined)
        setTab(id)
      })
  }

  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const index = TABS.indexOf(tab)
    let next: number
    if (event.key === 'ArrowRight') next = (index + 1) % TABS.length
    else if (event.key === 'ArrowLeft') next = (index - 1 + TABS.length) % TABS.length
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = TABS.length - 1
    else return
    event.preventDefault()
    const id = TABS[next]
    if (id) {
      // Arrow keys select at once, as focus moves (a tab list's automatic activation: the
      // focused tab is the selected one); only a click waits for the panel's code.
      pending.current = undefined
      setWaitingFor(undefined)
      prefetchTab(id, client, api, aggregateId)
      setTab(id)
      tabRefs.current.get(id)?.focus()
    }
  }

  return (
    // The tabs are the focusable parts (one tab stop); the list handles their arrow keys.
    // eslint-disable-next-line jsx-a11y-x/interactive-supports-focus
    <div className="tabs" role="tablist" aria-label="Aggregate views" onKeyDown={onTabKey}>
      {TABS.map((id) => (
        <button
          key={id}
          ref={(el) => {
            if (el) tabRefs.current.set(id, el)
            else tabRefs.current.delete(id)
          }}
          type="button"
          role="tab"
          id={`${ids}-tab-${id}`}
          aria-selected={tab === id}
          aria-busy={waitingFor === id ? true : undefined}
          aria-controls={`${ids}-panel`}
          tabIndex={tab === id ? 0 : -1}
          className={`tab${tab === id ? ' is-selected' : ''}`}
          onClick={() => select(id)}
          onPointerEnter={() => preloadTab(id)}
          onFocus={() => preloadTab(id)}
        >
          {TAB_LABELS[id]}
        </button>
      ))}
    </div>
  )
})

type TabContentProps = Parameters<typeof TabPanelContent>[0]

/** The open tab's panel; the panels but State load their code when first opened. */
function TabContent(props: TabContentProps) {
  return (
    <LazyPart what={`the ${TAB_LABELS[props.tab]} tab`} key={props.tab}>
      <TabPanelContent {...props} />
    </LazyPart>
  )
}

function TabPanelContent({
  tab,
  aggregateId,
  version,
  first,
  latest,
  view,
}: {
  tab: TabId
  aggregateId: string
  version: number
  /** Where the history starts (1 in Python stores). */
  first: number
  latest: number
  view: AggregateViewDto | null
}) {
  const writeBlock = useWriteBlock()
  // Both tabs stage and save changes: on a read-only connection they say why instead.
  if (writeBlock !== null && (tab === 'commands' || tab === 'conflict')) {
    const what =
      tab === 'commands' ? 'commands are unavailable' : 'the conflict demo is unavailable'
    return <ReadOnlyNotice reason={writeBlock} what={what} />
  }
  switch (tab) {
    case 'state':
      return view ? (
        <div className="state-panel">
          {view.discarded && (
            <p className="notice" role="note">
              Discarded at version {view.version}: there is no state any more. Move the version
              slider back to see the aggregate as it was.
            </p>
          )}
          {!view.definitionLoaded && <NoDefinitionNote view={view} />}
          <PagedState view={view} key={aggregateId} />
        </div>
      ) : (
        <StateSkeleton />
      )
    case 'timeline':
      return <Timeline aggregateId={aggregateId} key={aggregateId} />
    case 'diff':
      return latest >= 0 ? (
        <DiffPanel
          aggregateId={aggregateId}
          version={Math.min(version, latest)}
          firstVersion={first}
          latestVersion={latest}
        />
      ) : (
        <StateSkeleton />
      )
    case 'snapshots':
      return <SnapshotsPanel aggregateId={aggregateId} snapshotFailure={view?.snapshotFailure} />
    case 'commands':
      return <CommandsPanel aggregateId={aggregateId} />
    case 'conflict':
      return <ConflictDemo aggregateId={aggregateId} />
    case 'activity':
      return <ActivityPanel aggregateId={aggregateId} />
  }
}

function StateSkeleton() {
  return (
    <div className="state-panel" aria-busy="true" aria-label="Loading">
      {[40, 62, 55, 30, 48].map((w, i) => (
        <div
          key={i}
          className="skeleton skeleton-line"
          style={{ width: `${w}%`, marginInlineStart: `${(i % 3) * 1.25}rem` }}
        />
      ))}
    </div>
  )
}
