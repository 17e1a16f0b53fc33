/**
 * Renders a component the way the app does: inside a QueryClientProvider, with a query cache
 * of the test's own (a fresh one unless the test passes one to look into).
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { render, type RenderResult } from '@testing-library/react'
import type { ReactElement } from 'react'
import { createQueryClient } from '../queries/client'

export function renderWithQueries(
  ui: ReactElement,
  client: QueryClient = createQueryClient(),
): RenderResult & { client: QueryClient } {
  const result = render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>)
  return { ...result, client }
}
