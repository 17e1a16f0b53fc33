import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useState } from 'react'
import { useApi } from '../../service'
import { keys } from '../../queries/keys'
import type { ExplorerApi } from '../../../../shared/contract'
import { ErrorAlert } from '../../ui/errors'
import { DiffList } from '../../ui/DiffList'
import { usePythonStore } from '../../stores/useWriteBlock'
import './diff.css'
import { WholeNumberField } from '../../ui/WholeNumberField'

type Load<T> =
  { status: 'loading' } | { status: 'ready'; value: T } | { status: 'error'; error: unknown }

/** What a query shows for the request wanted now (`current`: the one it answers). */
function loadOf<T>(
  query: { data: T | undefined; isError: boolean; error: unknown },
  current: boolean,
): Load<T> {
  if (!current) return { status: 'loading' }
  if (query.data) return { status: 'ready', value: query.data }
  return query.isError ? { status: 'error', error: query.error } : { status: 'loading' }
}

function clampVersion(value: number, first: number, latest: number): number {
  return Math.min(Math.max(first, Math.trunc(value)), Math.max(first, latest))
}

function parseVersion(text: string, first: number, latest: number): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined
  const value = Number(text)
  return Number.isSafeInteger(value) && value >= first && value <= latest ? value : undefined
}

/** The change made by the event at `version`, and a diff between any two chosen versions. */
export function DiffPanel({
  aggregateId,
  version,
  latestVersion,
  firstVersion = 0,
}: {
  aggregateId: string
  version: number
  latestVersion: number
  /** Where the history starts, as the store reports it: 1 in Python stores. */
  firstVersion?: number
}) {
  return (
    <section className="diff-panel feature-panel" aria-label="Diff">
      <EventChange aggregateId={aggregateId} version={version} />
      <VersionCompare
        aggregateId={aggregateId}
        version={version}
        firstVersion={firstVersion}
        latestVersion={latestVersion}
      />
    </section>
  )
}

function EventChange({ aggregateId, version }: { aggregateId: string; version: number }) {
  const headingId = useId()
  const api = useApi()
  // One change asked for at a time: while it is worked out the selection may move on (a scrub),
  // and the next is asked for when it arrives, for the version selected then. Each answer
  // replays and converts two whole states (0.2–0.5 s for the demo's 20,000-entity state), and
  // asking at every step queued them on the server ahead of the scrub's own answers.
  const [asked, setAsked] = useState({ aggregateId, version })
  // Pushed changes mark `['diff', id]` stale (queries/serverEvents).
  const query = useQuery({
    queryKey: [...keys.diff(asked.aggregateId), 'event', asked.version],
    queryFn: () => api.getEventDiff({ id: asked.aggregateId, version: asked.version }),
    // A stored event's change: asked again when a pushed change marks it stale, not on every
    // return to the tab.
    staleTime: Infinity,
  })
  const current = asked.aggregateId === aggregateId && asked.version === version
  useEffect(() => {
    if (!current && !query.isFetching) setAsked({ aggregateId, version })
  }, [current, query.isFetching, aggregateId, version])
  const load = loadOf(query, current)
  // A Python store's events cannot be applied here: its answer is the event's own fields.
  const python = usePythonStore()
  const heading = python
    ? `Fields of the event at version ${version}`
    : `Change made by the event at version ${version}`

  return (
    <div className="section-card" role="region" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        {heading}
      </h3>
      <div className="diff-result" aria-busy={load.status === 'loading'}>
        {load.status === 'loading' && <p className="muted">Loading the change…</p>}
        {load.status === 'error' && (
          <ErrorAlert error={load.error} context="Could not load the change" />
        )}
        {load.status === 'ready' && (
          <DiffList
            entries={load.value}
            label={python ? heading : `Change made by version ${version}`}
            empty={
              python
                ? 'This event has no fields of its own.'
                : 'This event did not change the state.'
            }
          />
        )}
      </div>
    </div>
  )
}

/** The difference between two versions' states: both in the past, so it never changes. */
function compareOptions(api: ExplorerApi, id: string, from: number, to: number) {
  return queryOptions({
    queryKey: [...keys.diff(id), 'versions', from, to],
    queryFn: async () => {
      const { diff, cannotCompare } = await api.diffVersions({ id, from, to, states: false })
      return { from, to, diff, ...(cannotCompare === undefined ? {} : { cannotCompare }) }
    },
    // Fresh until a pushed change marks `['diff', id]` stale: the form's prefetch of the pair
    // the panel opened with (200 ms on) asked the server for it a second time.
    staleTime: Infinity,
  })
}

function VersionCompare({
  aggregateId,
  version,
  firstVersion,
  latestVersion,
}: {
  aggregateId: string
  version: number
  firstVersion: number
  latestVersion: number
}) {
  const headingId = useId()
  const hintId = useId()
  // Defaults: the step into the selected version; follows the selection until the user edits.
  const [fromText, setFromText] = useState(() =>
    String(clampVersion(version - 1, firstVersion, latestVersion)),
  )
  const [toText, setToText] = useState(() =>
    String(clampVersion(version, firstVersion, latestVersion)),
  )
  useEffect(() => {
    setFromText(String(clampVersion(version - 1, firstVersion, latestVersion)))
    setToText(String(clampVersion(version, firstVersion, latestVersion)))
  }, [aggregateId, version, firstVersion, latestVersion])

  const from = parseVersion(fromText, firstVersion, latestVersion)
  const to = parseVersion(toText, firstVersion, latestVersion)
  const valid = from !== undefined && to !== undefined

  // A short pause so typing "12" does not ask for version 1 first.
  const wanted = valid ? { from, to } : null
  const client = useQueryClient()
  const api = useApi()
  const [settled, setSettled] = useState(wanted)
  useEffect(() => {
    if (from === undefined || to === undefined) return
    const timer = window.setTimeout(() => {
      // Asked for at once, not on the next render: the answer is on its way meanwhile.
      void client.prefetchQuery(compareOptions(api, aggregateId, from, to))
      setSettled({ from, to })
    }, 200)
    return () => window.clearTimeout(timer)
  }, [client, api, aggregateId, from, to])
  const query = useQuery({
    ...compareOptions(api, aggregateId, settled?.from ?? 0, settled?.to ?? 0),
    enabled: settled !== null,
  })
  // An invalid field shows only its error: the old result would read as its answer.
  const load =
    wanted === null || settled === null
      ? undefined
      : loadOf(query, settled.from === wanted.from && settled.to === wanted.to)

  return (
    <div className="section-card" role="region" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Compare two versions
      </h3>
      <form className="diff-form" onSubmit={(event) => event.preventDefault()}>
        <WholeNumberField
          label="From version"
          min={firstVersion}
          max={latestVersion}
          value={fromText}
          invalid={from === undefined}
          describedBy={hintId}
          onChange={setFromText}
        />
        <span className="diff-form__arrow" aria-hidden="true">
          →
        </span>
        <WholeNumberField
          label="To version"
          min={firstVersion}
          max={latestVersion}
          value={toText}
          invalid={to === undefined}
          describedBy={hintId}
          onChange={setToText}
        />
        <p
          id={hintId}
          className={valid ? 'muted diff-form__hint' : 'feature-warning diff-form__hint'}
        >
          {valid
            ? `Versions ${firstVersion} to ${latestVersion}.`
            : `Enter whole numbers from ${firstVersion} to ${latestVersion}.`}
        </p>
      </form>
      <div className="diff-result" aria-live="polite" aria-busy={load?.status === 'loading'}>
        {load?.status === 'loading' && <p className="muted">Comparing…</p>}
        {load?.status === 'error' && (
          <ErrorAlert error={load.error} context="Could not compare the versions" />
        )}
        {load?.status === 'ready' && (
          <>
            <p className="diff-summary">
              {load.value.cannotCompare !== undefined
                ? `Version ${load.value.from} and version ${load.value.to} cannot be compared: ${load.value.cannotCompare}`
                : load.value.diff.length === 0
                  ? `Version ${load.value.from} and version ${load.value.to} have the same state.`
                  : `${load.value.diff.length} ${load.value.diff.length === 1 ? 'difference' : 'differences'} from version ${load.value.from} to version ${load.value.to}${load.value.from > load.value.to ? ' (going back in time)' : ''}:`}
            </p>
            <DiffList
              entries={load.value.diff}
              label={`Differences from version ${load.value.from} to version ${load.value.to}`}
              empty=""
            />
          </>
        )}
      </div>
    </div>
  )
}
