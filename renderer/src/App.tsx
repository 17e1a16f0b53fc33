import { QueryClientProvider } from '@tanstack/react-query'
import { lazy, useEffect, useState } from 'react'
import { AggregatesPanel } from './features/workspace/AggregatesPanel'
import { LazyPart } from './ui/LazyPart'
import { lazyWithPreload, nextIdle, whenIdle } from './ui/lazyWithPreload'
import { AppHeader } from './features/shell/AppHeader'
import { EmptyState } from './features/shell/EmptyState'
import { StartingNotice, TransportBanner } from './features/shell/TransportNotice'
import { StoreSwitchedNotice } from './features/shell/StoreSwitchedNotice'
import { TaskProgress } from './ui/TaskProgress'
import { useConnectionStore } from './stores/connectionStore'
import { useSelectionStore } from './stores/selectionStore'
import { createQueryClient } from './queries/client'
import { useServerEvents } from './queries/serverEvents'
import { useConnection } from './queries/connection'
import { ServiceProvider, useTransportStatus, type Service } from './service'

// Loaded on demand, so the first paint (the list and the empty state) carries neither: a
// connected start never needs the connection screen, and no aggregate is selected at first.
const ConnectionScreen = lazy(async () => ({
  default: (await import('./features/connection/ConnectionScreen')).ConnectionScreen,
}))
const AggregateView = lazyWithPreload(
  async () => (await import('./features/workspace/AggregateView')).AggregateView,
)

/**
 * After the first list page, while the page is idle: the aggregate view's code and the
 * timeline's, so that opening the first aggregate, or its timeline, mounts at once
 * (ui/lazyWithPreload.ts). The other tabs' code follows once a view is open (AggregateView),
 * away from the start page's own interactions.
 */
const PRELOAD_AFTER_CONNECT_MS = 500

async function preloadWorkspace(): Promise<void> {
  await AggregateView.preload()
  await nextIdle()
  await (await import('./features/workspace/lazyPanels')).Timeline.preload()
}

/**
 * The app with its own query cache (one per app, and per test: never shared at module level)
 * and the page's service, made once by main.tsx.
 */
export function App({ service }: { service: Service }) {
  const [client] = useState(createQueryClient)
  return (
    <QueryClientProvider client={client}>
      <ServiceProvider service={service}>
        <Explorer />
      </ServiceProvider>
    </QueryClientProvider>
  )
}

function Explorer() {
  useServerEvents()
  const { info, pending } = useConnection()
  const screenOpen = useConnectionStore((s) => s.screenOpen)
  const transport = useTransportStatus()
  const aggregateId = useSelectionStore((s) => s.aggregateId)
  const connected = info?.status === 'connected'
  const hasInfo = info !== null
  const sessionId = info?.sessionId

  // A cipher key that does not match the store is told on the connection screen at once.
  const mismatch = connected && info.keyStatus?.mismatch === true
  useEffect(() => {
    if (mismatch) useConnectionStore.getState().openScreen()
  }, [mismatch])

  const starting = pending
  useEffect(() => {
    if (!connected) return
    return whenIdle(() => void preloadWorkspace().catch(() => undefined), PRELOAD_AFTER_CONNECT_MS)
  }, [connected])

  return (
    <div className="app">
      <AppHeader />
      {starting ? (
        <StartingNotice status={transport} />
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
      {hasInfo && <TransportBanner status={transport} />}
      <StoreSwitchedNotice />
      <TaskProgress />
    </div>
  )
}
