/**
 * The aggregates list: paged with the server's opaque nextPageToken (never everything at once),
 * filtered by id prefix and type, ordered by recency or id. Live `changes` patch loaded rows
 * at once and schedule a throttled reload of the first pages.
 */
import { create } from 'zustand'
import type {
  AggregateSummary,
  AggregateTypeDescriptor,
  LogEntryDto,
} from '../../../shared/contract'
import { api } from '../api'
import { toUiError, type UiError } from '../ui/errors'

export type AggregateOrder = 'recent' | 'id'

export const PAGE_SIZE = 100
/** Above this many loaded rows a live refresh would move the user's scroll: offer it instead. */
const MAX_RELOAD = 500
const REFRESH_THROTTLE_MS = 750

interface AggregatesState {
  items: AggregateSummary[]
  /** Every aggregate in the store: the id prefix and type filters do not narrow it. */
  total: number
  nextPageToken: string | undefined
  /** 'initial' = first page of a new query (skeleton); 'more' = next page (a spinner below the rows). */
  loading: 'initial' | 'more' | 'refresh' | null
  error: UiError | null
  idPrefix: string
  type: string
  order: AggregateOrder
  /** The registered aggregate types (display names, commands), by topic order of the answer. */
  types: AggregateTypeDescriptor[]
  /** Whether listAggregateTypes has answered: before that, no type is "unregistered". */
  typesLoaded: boolean
  /** New data exists that was not reloaded automatically (deep scroll). */
  stale: boolean
  /** Whether a first page has ever arrived for the current query. */
  loaded: boolean
}

interface AggregatesActions {
  setIdPrefix(prefix: string): void
  setType(type: string): void
  setOrder(order: AggregateOrder): void
  refresh(): Promise<void>
  loadMore(): Promise<void>
  loadTypes(): Promise<void>
  onChanges(entries: LogEntryDto[]): void
  reset(): void
}

const initial: AggregatesState = {
  items: [],
  total: 0,
  nextPageToken: undefined,
  loading: null,
  error: null,
  idPrefix: '',
  type: '',
  order: 'recent',
  types: [],
  typesLoaded: false,
  stale: false,
  loaded: false,
}

const isValidPrefix = (prefix: string) => /^[0-9a-fA-F-]*$/.test(prefix) && prefix.length <= 36

export const useAggregatesStore = create<AggregatesState & AggregatesActions>()((set, get) => {
  // Every query gets a number; an answer to an older query is dropped. Kept in the store's
  // closure, not the module, like the refresh throttle's timer.
  let querySeq = 0
  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  let lastRefreshAt = 0

  async function query(mode: 'initial' | 'refresh'): Promise<void> {
    const seq = ++querySeq
    const { idPrefix, type, order, items } = get()
    if (!isValidPrefix(idPrefix)) {
      set({
        items: [],
        total: 0,
        nextPageToken: undefined,
        loading: null,
        loaded: true,
        error: null,
      })
      return
    }
    const limit =
      mode === 'refresh' ? Math.min(MAX_RELOAD, Math.max(PAGE_SIZE, items.length)) : PAGE_SIZE
    set(
      mode === 'initial'
        ? { loading: 'initial', error: null, items: [], nextPageToken: undefined, loaded: false }
        : { loading: 'refresh' },
    )
    try {
      const page = await api.listAggregates({
        limit,
        order,
        ...(idPrefix ? { idPrefix: idPrefix.toLowerCase() } : {}),
        ...(type ? { type } : {}),
      })
      if (seq !== querySeq) return
      set({
        items: page.items,
        total: page.total,
        nextPageToken: page.nextPageToken,
        loading: null,
        error: null,
        stale: false,
        loaded: true,
      })
    } catch (error) {
      if (seq !== querySeq) return
      set({ loading: null, error: toUiError(error), loaded: true })
    }
  }

  return {
    ...initial,

    setIdPrefix(idPrefix) {
      if (idPrefix === get().idPrefix) return
      set({ idPrefix })
      void query('initial')
    },
    setType(type) {
      if (type === get().type) return
      set({ type })
      void query('initial')
    },
    setOrder(order) {
      if (order === get().order) return
      set({ order })
      void query('initial')
    },

    refresh: () => query(get().loaded && get().items.length > 0 ? 'refresh' : 'initial'),

    async loadMore() {
      const { nextPageToken, loading, idPrefix, type, order } = get()
      if (!nextPageToken || loading) return
      const seq = querySeq
      set({ loading: 'more' })
      try {
        const page = await api.listAggregates({
          limit: PAGE_SIZE,
          order,
          pageToken: nextPageToken,
          ...(idPrefix ? { idPrefix: idPrefix.toLowerCase() } : {}),
          ...(type ? { type } : {}),
        })
        if (seq !== querySeq) return
        // A row may move between pages while we page (order=recent): keep the first copy.
        const seen = new Set(get().items.map((a) => a.id))
        const fresh = page.items.filter((a) => !seen.has(a.id))
        set((s) => ({
          items: [...s.items, ...fresh],
          total: page.total,
          nextPageToken: page.nextPageToken,
          loading: null,
          error: null,
        }))
      } catch (error) {
        if (seq !== querySeq) return
        set({ loading: null, error: toUiError(error) })
      }
    },

    async loadTypes() {
      try {
        const types = await api.listAggregateTypes({})
        set({ types, typesLoaded: true })
      } catch {
        // The type filter simply stays empty; the list itself reports errors.
      }
    },

    onChanges(entries) {
      if (entries.length === 0) return
      const latest = new Map<string, LogEntryDto>()
      for (const entry of entries) {
        const prev = latest.get(entry.originatorId)
        if (!prev || prev.toVersion < entry.toVersion) latest.set(entry.originatorId, entry)
      }
      // Patch what is on screen at once…
      set((s) => {
        let touched = false
        const items = s.items.map((item) => {
          const entry = latest.get(item.id)
          if (!entry || entry.toVersion <= item.version) return item
          touched = true
          return {
            ...item,
            version: entry.toVersion,
            lastModified: entry.recordedAt,
            discarded: item.discarded || entry.discards,
          }
        })
        return touched ? { items } : {}
      })
      // …then reload the query, throttled, so new aggregates and the order show up too.
      if (get().items.length > MAX_RELOAD) {
        set({ stale: true })
        return
      }
      if (get().types.length === 0 || entries.some((e) => e.fromVersion === 0))
        void get().loadTypes()
      if (refreshTimer) return
      const wait = Math.max(0, lastRefreshAt + REFRESH_THROTTLE_MS - Date.now())
      refreshTimer = setTimeout(() => {
        refreshTimer = null
        lastRefreshAt = Date.now()
        void get().refresh()
      }, wait)
    },

    reset() {
      querySeq++
      if (refreshTimer) clearTimeout(refreshTimer)
      refreshTimer = null
      lastRefreshAt = 0
      set({ ...initial })
    },
  }
})
