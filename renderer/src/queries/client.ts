/**
 * The QueryClient's defaults. One is made by the app root (and one per test), never at module
 * level: the cache is state, and it belongs to the tree that renders it.
 */
import { QueryClient } from '@tanstack/react-query'

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // The service pushes `changes`; queries are invalidated from those, not polled or
        // refetched on focus. A failed read is told, with a Retry: errors here are the
        // server's answer (not found, integrity), so trying again at once would say the same.
        retry: false,
        refetchOnWindowFocus: false,
        refetchOnReconnect: false,
      },
      mutations: { retry: false },
    },
  })
}
