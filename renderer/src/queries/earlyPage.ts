/**
 * The list's first page, asked for at boot beside getConnection rather than after it: the page
 * load's first row then waits for one round trip, not two (issue 10). main.tsx wraps the page's
 * api once; the state lives in this closure, not at module level. The first listAggregates call
 * asking for exactly that page takes the early answer (any other call drops it); any connect,
 * disconnect or key change drops it unused, so it only ever stands for the store the app started on.
 */
import type { ExplorerApi, RequestOf, ResponseOf } from '../../../shared/contract'

type ListRequest = RequestOf<'listAggregates'>
type Page = ResponseOf<'listAggregates'>

/** What the default list asks for first (aggregates.ts): the early request is this one. */
export const EARLY_ORDER = 'recent'

function sameRequest(a: ListRequest, b: ListRequest): boolean {
  const aKeys = Object.keys(a) as (keyof ListRequest)[]
  return aKeys.length === Object.keys(b).length && aKeys.every((k) => a[k] === b[k])
}

export function withFirstPageEarly(api: ExplorerApi, first: ListRequest): ExplorerApi {
  let early: Promise<Page> | null = api.listAggregates(first)
  // Not connected yet, or any failure: the list's own request asks again (below).
  early.catch(() => {})
  const dropping =
    <R, A>(call: (request: R) => Promise<A>) =>
    (request: R): Promise<A> => {
      early = null
      return call(request)
    }
  return {
    ...api,
    listAggregates(request) {
      const taken = early
      early = null
      if (taken && sameRequest(request, first)) {
        return taken.catch(() => api.listAggregates(request))
      }
      return api.listAggregates(request)
    },
    connect: dropping(api.connect),
    disconnect: dropping(api.disconnect),
    setCipherKey: dropping(api.setCipherKey),
    forgetCipherKey: dropping(api.forgetCipherKey),
  }
}
