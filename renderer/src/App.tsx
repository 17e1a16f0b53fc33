import { QueryClientProvider } from '@tanstack/react-query'
import { lazy, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { AggregatesPanel } from './features/workspace/AggregatesPanel'
import { LazyPart } from './ui/LazyPart'
import { AppHeader } from './features/shell/AppHeader'
import { EmptyState } from './features/shell/EmptyState'
import { TaskProgress } from './ui/TaskProgress'
import { useConnectionStore } from './stores/connectionStore'
import { useSelectionStore } from './stores/selectionStore'
import { createQueryClient } from './queries/client'
import { useServerEvents } from './queries/serverEvents'

// Loaded on demand, so the first paint (the list and the empty state) carries neither: a
// connected start never needs the connection screen, and no aggregate is selected at first.
const ConnectionScreen = lazy(async () => ({
  default: (await import('./features/connection/ConnectionScreen')).ConnectionScreen,
}))
const AggregateView = lazy(async () => ({
  default: (await import('./features/workspace/AggregateView')).AggregateView,
}))

/** The app with its own query cache: one per app (and per test), never shared at module level. */
export function App() {
  const [client] = useState(createQueryClient)
  return (
    <QueryClientProvider client={client}>
      <Explorer />
    </QueryClientProvider>
  )
}

function Explorer() {
  useServerEvents()
  const { connected, screenOpen, phase, transport, hasInfo, sessionId } = useConnectionStore(
    useShallow((s) => ({
      connected: s.info?.status === 'connected',
      screenOpen: s.screenOpen,
      phase: s.phase,
      transport: s.transport,
      hasInfo: s.info !== null,
      sessionId: s.info?.sessionId,
    })),
  )
  const aggregateId = useSelectionStore((s) => s.aggregateId)

  useEffect(() => {
    void useConnectionStore.getState().load()
  }, [])

  const starting = phase === 'idle' || (phase === 'loading' && !connected)

  return (
    <div className="app">
      <AppHeader />
      {starting ? (
        <main className="app-loading" aria-busy="true" aria-label="Connecting">
          <span className="spinner" aria-hidden="true" />
          <span className="muted" role="status">
            {transport === 'closed'
              ? 'Cannot reach the Eventscope service yet. Retrying…'
              : 'Connecting to Eventscope…'}
          </span>
        </main>
      ) : !connected || screenOpen ? (
        <LazyPart what="the connection screen">
          <ConnectionScreen />
        </LazyPart>
      ) : (
        // Keyed by the session: a cipher key change remounts every panel, so no panel keeps
        // what it read (snapshots, diffs, handles) under the old key.
        <main className="workspace" key={sessionId}>
          <AggregatesPanel />
          <div className="detail-column">
            {aggregateId ? (
              <LazyPart what="the aggregate" key={aggregateId}>
                <AggregateView aggregateId={aggregateId} />
              </LazyPart>
            ) : (
              <EmptyState />
            )}
          </div>
        </main>
      )}
      {hasInfo && transport !== 'open' && (
        <div className="transport-banner" role="alert">
          <span className="spinner spinner-sm" aria-hidden="true" />
          {transport === 'closed'
            ? 'Lost the connection to the Eventscope service. Reconnecting…'
            : 'Reconnecting to the Eventscope service…'}
        </div>
      )}
      <TaskProgress />
    </div>
  )
}
