/**
 * The aggregates list and the registered types. The list is paged with the server's opaque
 * tokens (never everything at once), forward from its start or backward from its end; pushed changes patch the rows on screen at once
 * and then refetch the loaded pages (see serverEvents.ts).
 */
import {
  infiniteQueryOptions,
  keepPreviousData,
  queryOptions,
  useInfiniteQuery,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from '@tanstack/react-query'
import { useCallback, useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type {
  AggregateSummary,
  AggregateTypeDescriptor,
  ExplorerApi,
  LogEntryDto,
  ResponseOf,
} from '../../../shared/contract'
import { useApi } from '../service'
import { toUiError, type UiError } from '../ui/errors'
import { useAggregateListStore, type ListAnchor } from '../stores/aggregateListStore'
import { idPrefixRule, type IdPrefixRule } from '../lib/idPrefix'
import { useConnectionInfo } from './connection'
import { isPythonStore } from '../stores/useWriteBlock'
import { keys, type AggregateListFilter } from './keys'

export const PAGE_SIZE = 100
/** Above this many loaded rows a live refresh would move the user's scroll: offer it instead. */
export const MAX_RELOAD = 500

type Page = ResponseOf<'listAggregates'>
type Pages = InfiniteData<Page>

// No total: an answer without a question says nothing about the store.
const EMPTY_PAGE: Page = { items: [] }

/** A page, marked with the end of the list its query reads from (placeholder data may be another query's). */
export type WindowPage = Page & { from: ListAnchor }

/** Resolves as `promise` does, or rejects once `signal` aborts: a superseded answer is dropped. */
function abandonable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error)
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason as Error)
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

/**
 * The list read from one end. Keyset paging: a page is reachable only from a neighbour's token,
 * so the start's query pages forward and the end's (End) backward with prevPageToken.
 */
export function aggregateListOptions(
  api: ExplorerApi,
  filter: AggregateListFilter,
  from: ListAnchor = 'start',
  prefixRule: IdPrefixRule = idPrefixRule(undefined),
) {
  return infiniteQueryOptions({
    queryKey: from === 'start' ? keys.aggregateList(filter) : keys.aggregateListFromEnd(filter),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }): Promise<WindowPage> => {
      // A prefix that cannot match an id matches nothing: no need to ask.
      if (!prefixRule.valid(filter.idPrefix)) return { ...EMPTY_PAGE, from }
      // The transport cannot cancel a list read; abandoning it lets a newer filter's answer win.
      const page = await abandonable(
        api.listAggregates({
          limit: PAGE_SIZE,
          order: filter.order,
          // A token carries its own direction.
          ...(pageParam ? { pageToken: pageParam } : from === 'end' ? { from } : {}),
          ...(filter.idPrefix ? { idPrefix: prefixRule.sent(filter.idPrefix) } : {}),
          ...(filter.type ? { type: filter.type } : {}),
        }),
        signal,
      )
      return { ...page, from }
    },
    getNextPageParam: (last: WindowPage) => last.nextPageToken,
    getPreviousPageParam: (first: WindowPage) => first.prevPageToken,
  })
}

/**
 * The store's aggregate count, asked apart from the pages: a store that cannot count cheaply
 * (Python's: a read of the whole primary key) leaves it out of them, so the rows need not wait.
 */
export function aggregateCountOptions(api: ExplorerApi) {
  return queryOptions({
    queryKey: keys.aggregateCount(),
    queryFn: async () => (await api.countAggregates({})).total,
  })
}

export interface AggregateList {
  /** The loaded rows, in list order: one contiguous stretch of the list. */
  items: AggregateSummary[]
  /**
   * Every aggregate in the store (the id prefix and type filters do not narrow it); undefined
   * while it is being counted, or if counting failed (countFailed).
   */
  total: number | undefined
  countFailed: boolean
  /** Which end the loaded rows were read from. */
  anchor: ListAnchor
  /** Rows exist before / after the loaded ones. */
  hasBefore: boolean
  hasAfter: boolean
  /** Not everything is loaded (either side). */
  hasMore: boolean
  /** The rows shown are a previous filter's, until the new answer arrives. */
  previous: boolean
  /** 'initial' = first page (skeleton); 'more' = a page either side; 'refresh' = reload. */
  loading: 'initial' | 'more' | 'refresh' | null
  error: UiError | null
  loaded: boolean
  filtered: boolean
  loadMore(): void
  loadPrevious(): void
  refresh(): void
}

/** Rows in page order; a row that moved between pages while paging (order=recent) shows once. */
function flatten(data: InfiniteData<WindowPage> | undefined): AggregateSummary[] {
  if (!data) return []
  const seen = new Set<string>()
  const items: AggregateSummary[] = []
  for (const page of data.pages)
    for (const item of page.items) {
      if (seen.has(item.id)) continue
      seen.add(item.id)
      items.push(item)
    }
  return items
}

export function useAggregateList(): AggregateList {
  const { anchor, ...filter } = useAggregateListStore(
    useShallow((s) => ({ idPrefix: s.idPrefix, type: s.type, order: s.order, anchor: s.anchor })),
  )
  const api = useApi()
  const prefixRule = idPrefixRule(useConnectionInfo()?.kind)
  const query = useInfiniteQuery({
    ...aggregateListOptions(api, filter, anchor, prefixRule),
    // The rows on screen stay until the new filter's (or end's) answer replaces them.
    placeholderData: keepPreviousData,
  })
  const items = useMemo(() => flatten(query.data), [query.data])
  const pageTotal = query.data?.pages.at(-1)?.total
  // Asked once the rows are in, so that it never competes with the first page.
  const count = useQuery({
    ...aggregateCountOptions(api),
    enabled: query.isSuccess && pageTotal === undefined,
  })
  const { fetchNextPage, fetchPreviousPage, refetch, isPlaceholderData } = query
  // Paging placeholder data would page the new query from nothing: wait for its answer.
  const loadMore = useCallback(() => {
    if (!isPlaceholderData) void fetchNextPage({ cancelRefetch: false })
  }, [fetchNextPage, isPlaceholderData])
  const loadPrevious = useCallback(() => {
    if (!isPlaceholderData) void fetchPreviousPage({ cancelRefetch: false })
  }, [fetchPreviousPage, isPlaceholderData])
  const refresh = useCallback(() => {
    useAggregateListStore.getState().setStale(false)
    void refetch()
  }, [refetch])
  return {
    items,
    total: pageTotal ?? count.data,
    countFailed: pageTotal === undefined && count.isError,
    anchor: query.data?.pages[0]?.from ?? anchor,
    hasBefore: query.hasPreviousPage,
    hasAfter: query.hasNextPage,
    hasMore: query.hasPreviousPage || query.hasNextPage,
    previous: isPlaceholderData,
    loading: query.isPending
      ? 'initial'
      : query.isFetchingNextPage || query.isFetchingPreviousPage
        ? 'more'
        : query.isFetching
          ? 'refresh'
          : null,
    error: query.error ? toUiError(query.error) : null,
    loaded: !query.isPending,
    filtered: filter.idPrefix !== '' || filter.type !== '',
    loadMore,
    loadPrevious,
    refresh,
  }
}

/**
 * Shows pushed versions in the loaded rows at once, before the refetch that brings new rows
 * and the new order. Returns how many rows are loaded in the largest list (to decide whether
 * refetching would move the user's scroll).
 */
export function patchAggregateLists(client: QueryClient, entries: LogEntryDto[]): number {
  const latest = new Map<string, LogEntryDto>()
  for (const entry of entries) {
    const prev = latest.get(entry.originatorId)
    if (!prev || prev.toVersion < entry.toVersion) latest.set(entry.originatorId, entry)
  }
  let loadedRows = 0
  const lists = { queryKey: keys.aggregateLists(), predicate: isPagedList }
  client.setQueriesData<Pages>(lists, (data) => {
    if (!data) return data
    loadedRows = Math.max(
      loadedRows,
      data.pages.reduce((n, page) => n + page.items.length, 0),
    )
    let touched = false
    const pages = data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => {
        const entry = latest.get(item.id)
        if (!entry || entry.toVersion <= item.version) return item
        touched = true
        return {
          ...item,
          version: entry.toVersion,
          lastModified: entry.recordedAt,
          discarded: item.discarded || entry.discards,
        }
      }),
    }))
    return touched ? { ...data, pages } : data
  })
  return loadedRows
}

/** The list queries under keys.aggregateLists(), not the count beside them. */
function isPagedList(query: { queryKey: readonly unknown[] }): boolean {
  return query.queryKey[1] !== keys.aggregateCount()[1]
}

export function aggregateTypesOptions(api: ExplorerApi) {
  return queryOptions({
    queryKey: keys.aggregateTypes(),
    queryFn: () => api.listAggregateTypes({}),
  })
}

/**
 * The registered aggregate types: loaded on first use. `typesLoaded` says whether the service
 * has answered: before that, no type is "unregistered". A failure leaves the list empty (the
 * aggregates list reports the store's errors).
 */
export function useAggregateTypes(): { types: AggregateTypeDescriptor[]; typesLoaded: boolean } {
  const query = useQuery(aggregateTypesOptions(useApi()))
  // Eventscope's built-in types never occur in a Python application's store: not offered there.
  const python = isPythonStore(useConnectionInfo())
  return useMemo(() => {
    const types = query.data ?? []
    return {
      types: python ? types.filter((type) => type.source !== 'built-in') : types,
      typesLoaded: query.isSuccess,
    }
  }, [query.data, query.isSuccess, python])
}

/** Makes the next look at the types ask again (a module was loaded, an aggregate created). */
export function useRefreshAggregates(): () => void {
  const client = useQueryClient()
  return useCallback(() => {
    void client.invalidateQueries({ queryKey: keys.aggregateTypes() })
    void client.invalidateQueries({ queryKey: keys.aggregateLists() })
  }, [client])
}

export function findType(
  types: readonly AggregateTypeDescriptor[],
  topic: string,
): AggregateTypeDescriptor | undefined {
  return types.find((type) => type.topic === topic)
}

/**
 * A topic for people: the display name when the type is registered; else the topic itself,
 * `unregistered` once the types are known (not before, so nothing flashes a false marker).
 */
export function describeTopic(
  types: readonly AggregateTypeDescriptor[],
  typesLoaded: boolean,
  topic: string,
): { name: string; unregistered: boolean } {
  const type = findType(types, topic)
  return type
    ? { name: type.displayName, unregistered: false }
    : { name: topic, unregistered: typesLoaded }
}
