/**
 * The one place where what the service pushes reaches the renderer's data: `changes` make the
 * affected queries stale (and patch the aggregates list at once), `connection` updates the
 * connection, a different store or session drops what was read, and a transport that comes
 * back refetches everything (changes meanwhile were never pushed). Mounted once, by the app.
 */
import { hashKey, useQueryClient, type Query, type QueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import type { ConnectionInfo, LogEntryDto } from '../../../shared/contract'
import { useService } from '../service'
import { useAggregateListStore } from '../stores/aggregateListStore'
import { useConnectionStore, type StoreSwitch } from '../stores/connectionStore'
import { useSelectionStore } from '../stores/selectionStore'
import { useStagedCommandsStore } from '../stores/stagedCommandsStore'
import { useTimelineFilterStore } from '../stores/timelineFilterStore'
import { MAX_RELOAD, patchAggregateLists } from './aggregates'
import { keys, perAggregateKeys } from './keys'

/** A seed run pushes many batches: the list is refetched at most this often. */
export const LIST_REFRESH_THROTTLE_MS = 750

/** Which store the UI is looking at; when it changes, everything loaded from the old one goes. */
const storeIdentity = (info: ConnectionInfo | null) =>
  info?.status === 'connected' ? `${info.kind ?? ''}|${info.description}` : null

/** What one batch of pushed changes makes stale; returns a function that stops the timer. */
export function changesHandler(client: QueryClient): {
  onChanges(entries: LogEntryDto[]): void
  stop(): void
} {
  let timer: ReturnType<typeof setTimeout> | null = null
  let lastRefreshAt = 0
  return {
    onChanges(entries) {
      if (entries.length === 0) return
      for (const id of new Set(entries.map((e) => e.originatorId)))
        for (const queryKey of perAggregateKeys(id)) void client.invalidateQueries({ queryKey })
      if (entries.some((e) => e.fromVersion === 0))
        void client.invalidateQueries({ queryKey: keys.aggregateTypes() })
      // The rows on screen show new versions at once; new rows and the order come with the
      // refetch, unless it would move a deeply scrolled list: then it is offered instead.
      if (patchAggregateLists(client, entries) > MAX_RELOAD) {
        useAggregateListStore.getState().setStale(true)
        return
      }
      if (timer) return
      const wait = Math.max(0, lastRefreshAt + LIST_REFRESH_THROTTLE_MS - Date.now())
      timer = setTimeout(() => {
        timer = null
        lastRefreshAt = Date.now()
        void client.invalidateQueries({ queryKey: keys.aggregateLists() })
        // The whole store's activity changes with every batch: refreshed as often as the list.
        void client.invalidateQueries({ queryKey: keys.activity(), exact: true })
      }, wait)
    },
    stop() {
      if (timer) clearTimeout(timer)
      timer = null
    },
  }
}

/** What a different connection answer means for what was read: nothing, or a reset. */
export function connectionChange(
  prev: ConnectionInfo | null,
  next: ConnectionInfo | null,
): 'none' | 'store' | 'session' {
  const now = storeIdentity(next)
  if (now !== storeIdentity(prev)) return 'store'
  return now !== null && next?.sessionId !== prev?.sessionId ? 'session' : 'none'
}

/**
 * What another window or tab did to the shared connection's store, for this page to say: null
 * at the page's first look, and for its own connects.
 */
export function switchedElsewhere(
  prev: ConnectionInfo | null,
  next: ConnectionInfo | null,
): StoreSwitch | null {
  if (storeIdentity(prev) === null || useConnectionStore.getState().ownConnects > 0) return null
  return next?.status === 'connected'
    ? { to: next.description }
    : { disconnectedFrom: prev?.description ?? '' }
}

/** Everything read from the store: all queries but the connection's own. */
const readFromStore = { predicate: (query: Query) => query.queryKey[0] !== keys.connection()[0] }

/** Subscribes to the service's events for as long as the calling component is mounted. */
export function useServerEvents(): void {
  const client = useQueryClient()
  const service = useService()
  useEffect(() => {
    const { api } = service
    const changes = changesHandler(client)
    let hadTransport = service.transportStatus() === 'open'
    let last = client.getQueryData<ConnectionInfo>(keys.connection()) ?? null
    const connectionHash = hashKey(keys.connection())
    const stops = [
      changes.stop,
      api.subscribe('changes', ({ entries }) => {
        useConnectionStore.getState().noteChanges(entries.length)
        changes.onChanges(entries)
      }),
      api.subscribe('connection', (info) => client.setQueryData(keys.connection(), info)),

      // Whatever changed the connection (an answer, a pushed event), at once, before a render.
      client.getQueryCache().subscribe((event) => {
        if (event.type !== 'updated' || event.query.queryHash !== connectionHash) return
        const info = (event.query.state.data as ConnectionInfo | undefined) ?? null
        if (info === last) return
        const change = connectionChange(last, info)
        const previous = last
        last = info
        if (change === 'store') {
          const said = switchedElsewhere(previous, info)
          if (said !== null) useConnectionStore.getState().noteSwitchedElsewhere(said)
          // A different store: nothing read from the old one applies, nor the selection.
          useSelectionStore.getState().select(null)
          useStagedCommandsStore.getState().reset()
          useAggregateListStore.getState().reset()
          useTimelineFilterStore.getState().reset()
        }
        // The same store opened again (a cipher key change, a reconnect): nothing read under the
        // old session may stay on screen either. Reset rather than removed: a query still
        // observed refetches from the new store or session.
        if (change !== 'none') void client.resetQueries(readFromStore)
      }),

      // The transport came back after a drop: whatever happened meanwhile was not pushed to us.
      service.onTransportStatus((status) => {
        if (status !== 'open') return
        if (!hadTransport) {
          hadTransport = true
          return
        }
        void client.invalidateQueries()
      }),
    ]
    return () => {
      for (const stop of stops) stop()
    }
  }, [client, service])
}
