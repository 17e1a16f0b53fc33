/**
 * The list's first page, asked for at boot beside getConnection rather than after it: the page
 * load's first row then waits for one round trip, not two (issue 10). Taken once, by the first
 * query of the default list; any connect, disconnect or key change drops it unused, so it can
 * only ever stand for the store the app started on.
 */
import type { ResponseOf } from '../../../shared/contract'
import { api } from '../api'

type Page = ResponseOf<'listAggregates'>

/** What the default list asks for first (aggregates.ts); the early request is this one. */
export const EARLY_ORDER = 'recent'

let early: Promise<Page> | null = null

export function askFirstPageEarly(limit: number): void {
  const asked = api.listAggregates({ limit, order: EARLY_ORDER })
  // Not connected yet, or any failure: the list's own request asks again.
  asked.catch(() => {})
  early = asked
}

/** The early answer, once; null when there is none (or it was taken or dropped). */
export function takeFirstPageEarly(): Promise<Page> | null {
  const taken = early
  early = null
  return taken
}

export function dropFirstPageEarly(): void {
  early = null
}
