/**
 * Renders a component the way the app does: inside a QueryClientProvider, with a query cache
 * of the test's own (a fresh one unless the test passes one to look into), and the service
 * provider holding the test's fake API (see fakeApi.ts).
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { render, type RenderResult } from '@testing-library/react'
import type { ReactElement, ReactNode } from 'react'
import type { ExplorerApi } from '../../../shared/contract'
import { createQueryClient } from '../queries/client'
import { ServiceProvider, type Service, type TransportStatus } from '../service'
import { createFakeApi } from './fakeApi'

/** A service over `api` whose transport status the test sets with `setStatus`. */
export function fakeService(
  api: ExplorerApi,
  status: TransportStatus = 'open',
): Service & { setStatus(next: TransportStatus): void } {
  let current = status
  const listeners = new Set<(status: TransportStatus) => void>()
  return {
    api,
    transportStatus: () => current,
    onTransportStatus(listener) {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    setStatus(next) {
      if (next === current) return
      current = next
      for (const listener of [...listeners]) listener(next)
    },
  }
}

/** The providers a component needs, around `children`. */
export function TestProviders({
  service,
  client,
  children,
}: {
  service: Service
  client: QueryClient
  children: ReactNode
}) {
  return (
    <QueryClientProvider client={client}>
      <ServiceProvider service={service}>{children}</ServiceProvider>
    </QueryClientProvider>
  )
}

export function renderWithQueries(
  ui: ReactElement,
  {
    api = createFakeApi(),
    client = createQueryClient(),
    service = fakeService(api),
  }: { api?: ExplorerApi; client?: QueryClient; service?: Service } = {},
): RenderResult & { client: QueryClient } {
  const result = render(
    <TestProviders service={service} client={client}>
      {ui}
    </TestProviders>,
  )
  return { ...result, client }
}
