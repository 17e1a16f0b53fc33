/**
 * The one place where API events reach the stores, and where stores react to each other.
 * Started once by the app (and by tests); returns a function that stops everything.
 */
import type { ConnectionInfo } from '../../../shared/contract'
import { createStore } from 'zustand'
import { api } from '../api'
import { useAggregateViewStore } from './aggregateViewStore'
import { useAggregatesStore } from './aggregatesStore'
import { useConnectionStore } from './connectionStore'
import { useSelectionStore } from './selectionStore'
import { useStagedCommandsStore } from './stagedCommandsStore'
import { useTimelineStore } from './timelineStore'

/** How to stop the listeners started last: starting again stops them first. */
const running = createStore<{ stop: (() => void) | null }>()(() => ({ stop: null }))

/** Which store the UI is looking at; when it changes, everything loaded from the old one goes. */
const storeIdentity = (info: ConnectionInfo | null) =>
  info?.status === 'connected' ? `${info.kind ?? ''}|${info.description}` : null

export function startStoreListeners(): () => void {
  running.getState().stop?.()
  const stops: Array<() => void> = []
  let hadTransport = useConnectionStore.getState().transport === 'open'

  stops.push(
    api.subscribe('changes', ({ entries }) => {
      useConnectionStore.getState().noteChanges(entries.length)
      useAggregatesStore.getState().onChanges(entries)
      useTimelineStore.getState().onChanges(entries)
      const id = useSelectionStore.getState().aggregateId
      if (id && entries.some((e) => e.originatorId === id))
        useAggregateViewStore.getState().reload()
    }),
  )
  stops.push(api.subscribe('connection', (info) => useConnectionStore.getState().setInfo(info)))

  // The same store opened again (a cipher key change, a reconnect): nothing read under the old
  // session may stay on screen. Everything loaded is dropped and the selection reloaded.
  stops.push(
    useConnectionStore.subscribe((state, prev) => {
      const now = storeIdentity(state.info)
      if (now === null || now !== storeIdentity(prev.info)) return
      if (state.info?.sessionId === prev.info?.sessionId) return
      const { aggregateId } = useSelectionStore.getState()
      useAggregatesStore.getState().reset()
      useTimelineStore.getState().reset()
      useAggregateViewStore.getState().reset()
      void useAggregatesStore.getState().refresh()
      void useAggregatesStore.getState().loadTypes()
      if (aggregateId) {
        useTimelineStore.getState().open(aggregateId)
        useAggregateViewStore
          .getState()
          .request(aggregateId, useSelectionStore.getState().version, { immediate: true })
      }
    }),
  )

  // A different store: reload the list and clear the selection.
  stops.push(
    useConnectionStore.subscribe((state, prev) => {
      const now = storeIdentity(state.info)
      if (now === storeIdentity(prev.info)) return
      useSelectionStore.getState().select(null)
      useStagedCommandsStore.getState().reset()
      useAggregatesStore.getState().reset()
      useTimelineStore.getState().reset()
      useAggregateViewStore.getState().reset()
      if (now) {
        void useAggregatesStore.getState().refresh()
        void useAggregatesStore.getState().loadTypes()
      }
    }),
  )

  // The transport came back after a drop: whatever happened meanwhile was not pushed to us.
  stops.push(
    useConnectionStore.subscribe((state, prev) => {
      if (state.transport !== 'open' || prev.transport === 'open') return
      if (!hadTransport) {
        hadTransport = true
        return
      }
      void useConnectionStore.getState().load()
      void useAggregatesStore.getState().refresh()
      void useAggregatesStore.getState().loadTypes()
      useAggregateViewStore.getState().reload()
      useTimelineStore.getState().reload()
    }),
  )

  // The selection drives the aggregate view and the timeline.
  stops.push(
    useSelectionStore.subscribe((state, prev) => {
      if (state.aggregateId !== prev.aggregateId) {
        useTimelineStore.getState().open(state.aggregateId)
        useAggregateViewStore
          .getState()
          .request(state.aggregateId, state.version, { immediate: true })
      } else if (state.version !== prev.version) {
        useAggregateViewStore.getState().request(state.aggregateId, state.version)
      }
    }),
  )

  const stop = () => {
    for (const s of stops.splice(0)) s()
    if (running.getState().stop === stop) running.setState({ stop: null })
  }
  running.setState({ stop })
  return stop
}
