/**
 * One aggregate as of a version (getAggregate), keyed `['aggregate', id, version]`. A past
 * version's state never changes (events are append-only), so an explicit version is cached
 * for good; `latest` is refetched when a change to the aggregate is pushed.
 *
 * Scrubbing: the slider's version reaches the query at once when no answer is loading, and
 * while one is, after VIEW_DEBOUNCE_MS of rest; the previous state stays on screen while the
 * next loads, and the versions around the shown one are prefetched (when answers are cheap) so
 * stepping with the keys shows them at once. A query the UI abandons (the
 * slider moved on) aborts its signal, which cancels the replay on the server; a replay that
 * takes longer than SLOW_REPLAY_MS shows in the task list with its own Cancel button.
 */
import {
  keepPreviousData,
  queryOptions,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import type { AggregateView, ExplorerApi } from '../../../shared/contract'
import { useApi } from '../service'
import { cancelTask } from '../lib/runTask'
import { newTaskId, useTaskStore } from '../stores/taskStore'
import { toUiError, type UiError } from '../ui/errors'
import { keys, type VersionKey } from './keys'

export const VIEW_DEBOUNCE_MS = 80
export const SLOW_REPLAY_MS = 400
/** How many versions either side of the shown one are prefetched. */
export const PREFETCH_AROUND = 3

/**
 * Replays `id` to `version` on the server with a task id of its own, so that an aborted
 * `signal` (the query was abandoned or cancelled) cancels the replay there too.
 */
export async function fetchAggregate(
  api: ExplorerApi,
  client: QueryClient,
  id: string,
  version: VersionKey,
  signal: AbortSignal,
  announce = true,
): Promise<AggregateView> {
  const taskId = newTaskId('replay')
  let visible = false
  const slow = setTimeout(() => {
    // A prefetch is not something the user asked for: it never shows as a task.
    if (!announce) return
    useTaskStore
      .getState()
      .start(`Replaying ${id.slice(0, 8)}${version === 'latest' ? '' : ` to v${version}`}`, taskId)
    visible = true
  }, SLOW_REPLAY_MS)
  const cancel = () => void cancelTask(api, taskId)
  signal.addEventListener('abort', cancel, { once: true })
  try {
    const started = performance.now()
    const view = await api.getAggregate({
      id,
      ...(version === 'latest' ? {} : { at: version }),
      taskId,
    })
    // The slowest recent answer counts, fading by a tenth per answer: one from the last answer's
    // live state (a step forward) is cheap where a step back still restores a whole state.
    const took = performance.now() - started
    const before = client.getQueryData<number>(keys.answerTime(id)) ?? 0
    client.setQueryData(keys.answerTime(id), Math.max(took, before * ANSWER_TIME_FADE))
    // The round trip alone, for a DevTools trace (or a bench) to tell it from the rendering.
    performance.measure('eventscope:getAggregate', { start: started })
    // A finished replay needs no toast: its result is on screen.
    if (visible) useTaskStore.getState().dismiss(taskId)
    return view
  } catch (error) {
    if (visible) {
      const uiError = toUiError(error)
      useTaskStore
        .getState()
        .finish(taskId, uiError.code === 'Cancelled' ? 'cancelled' : 'failed', uiError.message)
    }
    throw error
  } finally {
    clearTimeout(slow)
    signal.removeEventListener('abort', cancel)
  }
}

export function aggregateOptions(
  api: ExplorerApi,
  id: string,
  version: VersionKey,
  announce = true,
) {
  return queryOptions({
    queryKey: keys.aggregateAt(id, version),
    queryFn: ({ client, signal }) => fetchAggregate(api, client, id, version, signal, announce),
    // The past does not change; the latest is kept fresh by pushed changes.
    staleTime: version === 'latest' ? 0 : Infinity,
  })
}

/**
 * Answers slower than this are not prefetched around: each prefetch costs the server what the
 * answer did, and six of them queued ahead of the user's next step cost more than they save
 * (a 100,000-event aggregate with 20,000 entities in its state; issue 10).
 */
export const PREFETCH_MAX_MS = 60

/** How much of the slowest recent answer's time the next answer still carries (see fetch). */
export const ANSWER_TIME_FADE = 0.9

/**
 * How long a version stays on screen before its neighbours are prefetched. A prefetch already
 * running on the server cannot be stopped mid-restore (cancelling it saves only what follows),
 * so one started the moment a version shows delays a jump made right after it by up to a whole
 * answer; a user reading the state or stepping by hand rests longer than this.
 */
export const PREFETCH_REST_MS = 100

/**
 * Warms the cache with the versions around `center`, within 0..latest, if answers are cheap:
 * nearest first, one at a time, until `stop` is aborted (the shown version changed). One at a
 * time because the server runs a connection's requests concurrently: several prefetches under
 * way would share its CPU with the user's next step.
 */
export async function prefetchAround(
  api: ExplorerApi,
  client: QueryClient,
  id: string,
  center: number,
  latest: number,
  stop?: AbortSignal,
): Promise<void> {
  if ((client.getQueryData<number>(keys.answerTime(id)) ?? 0) > PREFETCH_MAX_MS) return
  for (let step = 1; step <= PREFETCH_AROUND; step++) {
    for (const version of [center - step, center + step]) {
      // The latest version is asked for as `latest` (the selection follows it).
      if (version < 0 || version >= latest) continue
      if (stop?.aborted) return
      await client.prefetchQuery(aggregateOptions(api, id, version, false))
    }
  }
}

/**
 * Cancels the prefetches of `id` still running (queries no component watches) other than
 * `wanted`'s: the server answers a connection's requests concurrently, so a prefetch left
 * running shares its CPU with the answer the user is waiting for (issue 10). A cancelled
 * prefetch aborts its replay on the server and leaves nothing cached.
 */
export function cancelPrefetches(client: QueryClient, id: string, wanted: VersionKey): void {
  void client.cancelQueries({
    queryKey: ['aggregate', id],
    predicate: (q) =>
      q.queryKey.length === 3 &&
      q.queryKey[2] !== wanted &&
      q.state.fetchStatus === 'fetching' &&
      q.getObserversCount() === 0,
  })
}

/**
 * `value` for the query: at once when it is cached (`immediate`) or when nothing is loading
 * (the first step of a drag, a click, a key press: no wait); while an answer is still coming,
 * once the value has stayed the same for `ms` (the steps in the middle of a drag are never
 * asked for; the server is not handed a queue of them). An uncached value is handed to `ask`
 * as it settles: in the render that brings it, not in an effect, since effects run after the
 * browser has painted the slider's move and the request waited for that frame and two more
 * renders (5–20 ms a step; issue 10).
 */
function useSettled<T>(
  value: T,
  ms: number,
  immediate: boolean,
  busy: () => boolean,
  ask: (value: T) => void,
): T {
  const [settled, setSettled] = useState(value)
  // The value this hook last saw: a new one is settled in the render that brings it.
  const [seen, setSeen] = useState(value)
  let now = settled
  if (seen !== value) {
    setSeen(value)
    if (immediate || !busy()) {
      if (!immediate) ask(value)
      setSettled(value)
      now = value
    }
  }
  useEffect(() => {
    if (immediate || settled === value) return
    const timer = setTimeout(() => {
      ask(value)
      setSettled(value)
    }, ms)
    return () => clearTimeout(timer)
    // `ask` is called when the value settles, not followed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value, settled, ms, immediate])
  return immediate ? value : now
}

export interface AggregateAt {
  /** What is on screen: the wanted version's state, or the last one shown while it loads. */
  view: AggregateView | null
  loading: boolean
  error: UiError | null
  reload(): void
}

/**
 * The aggregate as of `version` (null = latest). Versions already cached show at once; others
 * wait for the slider to rest, keeping the previous state on screen meanwhile.
 */
export function useAggregateAt(id: string, version: number | null): AggregateAt {
  const api = useApi()
  const client = useQueryClient()
  const wanted: VersionKey = version ?? 'latest'
  const cached = client.getQueryData(keys.aggregateAt(id, wanted)) !== undefined
  // Whether the answer on its way is still loading (the query for the version last settled).
  const busy = () =>
    client
      .getQueryCache()
      .findAll({ queryKey: ['aggregate', id] })
      // A version's answer (its key has 3 parts), not a page of its state's children.
      .some(
        (q) =>
          q.queryKey.length === 3 &&
          q.state.fetchStatus === 'fetching' &&
          q.getObserversCount() > 0,
      )
  // A version is asked for as it settles: the request leaves before the slider's move is drawn
  // and overlaps it; useQuery below joins the fetch under way (as usePrefetchQuery does).
  const ask = (version: VersionKey) => void client.prefetchQuery(aggregateOptions(api, id, version))
  const settled = useSettled(wanted, VIEW_DEBOUNCE_MS, cached, busy, ask)
  // The user asks for a version not cached: the prefetches of other versions give way.
  useEffect(() => {
    if (!cached) cancelPrefetches(client, id, settled)
    // `cached` is read when the asked-for version changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, id, settled])
  const query = useQuery({
    ...aggregateOptions(api, id, settled),
    placeholderData: keepPreviousData,
  })
  // The last real answer stays on screen through an error (the header says what failed).
  const [lastShown, setLastShown] = useState<AggregateView | null>(null)
  if (query.data && !query.isPlaceholderData && query.data !== lastShown) setLastShown(query.data)
  const view = query.data ?? lastShown

  const shownVersion = view?.version
  const latest = view?.latestVersion
  const ready = query.isSuccess && !query.isPlaceholderData
  useEffect(() => {
    if (!ready || shownVersion === undefined || latest === undefined) return
    const stop = new AbortController()
    const timer = setTimeout(
      () => void prefetchAround(api, client, id, shownVersion, latest, stop.signal),
      PREFETCH_REST_MS,
    )
    return () => {
      clearTimeout(timer)
      stop.abort()
    }
  }, [api, client, id, ready, shownVersion, latest])

  const { refetch } = query
  return {
    view: view?.id === id ? view : null,
    loading: query.isFetching || settled !== wanted,
    error: query.error ? toUiError(query.error) : null,
    reload: () => void refetch(),
  }
}
