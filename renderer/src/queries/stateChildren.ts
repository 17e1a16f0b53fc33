/**
 * The rest of a cut state (issue 10; shared/statePages.ts): getAggregate sends each container's
 * first children and says which containers it cut; when the tree shows more of one than the
 * answer holds, it asks for them here and gets the state with the pages it asked for added. A
 * page is a query of its own under the version's key (`['aggregate', id, version, 'children',
 * …]`), cached for good like the version: a past state never changes.
 */
import { useQueries, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useMemo, useState } from 'react'
import type {
  JsonValue,
  OmittedChildren,
  ResponseOf,
  ShortenedString,
  StatePath,
} from '../../../shared/contract'
import { type Children, childrenOf, withChildren } from '../../../shared/displayValue'
import { useApi } from '../service'
import { keys } from './keys'

/** Children per page asked for (the tree's "show more" step). */
export const CHILDREN_PAGE = 500
/**
 * A version's pages are asked for once it has been shown this long: while the user scrubs, a
 * container opened further would otherwise cost a page request (a replay from a checkpoint on the
 * server) for every version passed.
 */
export const PAGE_REST_MS = 250

type Page = ResponseOf<'getStateChildren'>

/** A container's key in the maps below: its path as JSON (object keys and indices apart). */
export const pathKey = (path: StatePath): string => JSON.stringify(path)

export interface StatePages {
  /** The state with the pages loaded so far added to their containers. */
  value: JsonValue
  /** How many children the containers the value does not hold whole have, by pathKey. */
  totals: ReadonlyMap<string, number>
  /** Containers (by pathKey) with a page on its way, or the message of one that failed. */
  pending: ReadonlyMap<string, string | null>
  /** Asks for the children of the container at `path` up to `upTo` (exclusive). */
  want(path: StatePath, upTo: number): void
  /** The strings the answer or a page shortened: their whole lengths, by pathKey. */
  shortened: ReadonlyMap<string, number>
}

interface PageSpec {
  path: StatePath
  key: string
  offset: number
  limit: number
}

/**
 * `value` with the children of the container at `path` replaced by `update(them)`, copied along
 * the way (a Map's or an instance's children sit inside it: shared/displayValue.ts).
 */
function updateAt(value: JsonValue, path: StatePath, update: (c: Children) => Children): JsonValue {
  const children = childrenOf(value)
  if (children === undefined) return value
  if (path.length === 0) return withChildren(value, update(children))
  const [head, ...rest] = path
  if (Array.isArray(children)) {
    if (typeof head !== 'number' || head >= children.length) return value
    const copy = children.slice()
    copy[head] = updateAt(children[head]!, rest, update)
    return withChildren(value, copy)
  }
  if (typeof head !== 'string' || !Object.prototype.hasOwnProperty.call(children, head))
    return value
  return withChildren(
    value,
    withKey({ ...children }, head, updateAt(children[head]!, rest, update)),
  )
}

/** Sets a key as data (a key like "__proto__" included). */
function withKey(target: { [key: string]: JsonValue }, key: string, value: JsonValue) {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
  return target
}

/** `container` with `page` added, if the page starts where the container's children end. */
function appendPage(container: Children, page: Page): Children {
  const count = Array.isArray(container) ? container.length : Object.keys(container).length
  if (count !== page.offset) return container
  if (Array.isArray(container)) return [...container, ...page.children.map((c) => c.value)]
  const copy = { ...container }
  for (const child of page.children) withKey(copy, String(child.key), child.value)
  return copy
}

/**
 * A state as an answer cut it: an aggregate's at a version (getAggregate), or the stored
 * snapshot's at that version (`snapshot`: listSnapshots), whose pages are its own.
 */
export interface CutState {
  readonly id: string
  readonly version: number
  readonly state: JsonValue
  readonly stateOmitted: readonly OmittedChildren[]
  readonly stateShortened: readonly ShortenedString[]
  readonly snapshot?: boolean
}

/** The pages of `view`'s state the tree asked for, added to it as they arrive. */
export function useStatePages(view: CutState): StatePages {
  const api = useApi()
  const client = useQueryClient()
  // Kept across versions: a container opened further stays so while scrubbing.
  const [wanted, setWanted] = useState<ReadonlyMap<string, { path: StatePath; upTo: number }>>(
    () => new Map(),
  )
  const want = useCallback((path: StatePath, upTo: number) => {
    const key = pathKey(path)
    setWanted((prev) => {
      if ((prev.get(key)?.upTo ?? 0) >= upTo) return prev
      return new Map(prev).set(key, { path, upTo })
    })
  }, [])

  const { id, version, snapshot = false } = view
  const [rested, setRested] = useState<string | null>(null)
  const shownKey = `${id}@${version}`
  useEffect(() => {
    const timer = setTimeout(() => setRested(shownKey), PAGE_REST_MS)
    return () => clearTimeout(timer)
  }, [shownKey])
  const queryKey = (spec: PageSpec) =>
    snapshot
      ? keys.snapshotStateChildren(id, version, spec.key, spec.offset)
      : keys.stateChildren(id, version, spec.key, spec.offset)
  // The pages to ask for: those of the cut containers known so far, which a loaded page can
  // add to (a page's children are cut in turn).
  const omitted = new Map<string, OmittedChildren>()
  for (const o of view.stateOmitted) omitted.set(pathKey(o.path), o)
  const specs: PageSpec[] = []
  const planned = new Set<string>()
  for (let more = true; more;) {
    more = false
    for (const [key, { path, upTo }] of wanted) {
      const cut = omitted.get(key)
      if (!cut || planned.has(key)) continue
      planned.add(key)
      for (let offset = cut.shown; offset < Math.min(upTo, cut.total); offset += CHILDREN_PAGE) {
        const spec = { path, key, offset, limit: CHILDREN_PAGE }
        specs.push(spec)
        const page = client.getQueryData<Page>(queryKey(spec))
        for (const o of page?.omitted ?? []) {
          if (!omitted.has(pathKey(o.path))) more = true
          omitted.set(pathKey(o.path), o)
        }
      }
    }
  }

  const results = useQueries({
    queries: specs.map((spec) => ({
      queryKey: queryKey(spec),
      queryFn: () =>
        api.getStateChildren({
          id,
          at: version,
          path: spec.path,
          offset: spec.offset,
          limit: spec.limit,
          ...(snapshot ? { snapshot } : {}),
        }),
      staleTime: Infinity,
      enabled: rested === shownKey,
    })),
  })

  const datas = results.map((r) => r.data)
  const errors = results.map((r) => (r.error ? r.error.message : null))
  // Merged again when the state or a page changes, not on every render (the tree's rows are
  // made again whenever the value is a new object).
  const pagesKey = specs.map((spec, i) => `${spec.key}@${spec.offset}:${results[i]!.dataUpdatedAt}`)
  const merged = useMemo(
    () => merge(view.state, specs, datas),
    // pagesKey names the pages and when each arrived: specs and datas follow from it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [view.state, pagesKey.join('|')],
  )
  const pendingKey = specs
    .map((spec, i) => (datas[i] === undefined ? `${spec.key}:${errors[i] ?? ''}` : ''))
    .join('|')
  // One object while nothing changes: the tree makes its rows again when it does.
  return useMemo(() => {
    const totals = new Map<string, number>()
    for (const [key, o] of omitted) totals.set(key, o.total)
    const shortened = new Map<string, number>()
    for (const s of view.stateShortened) shortened.set(pathKey(s.path), s.length)
    for (const page of datas)
      for (const s of page?.shortened ?? []) shortened.set(pathKey(s.path), s.length)
    const pending = new Map<string, string | null>()
    specs.forEach((spec, i) => {
      if (datas[i] === undefined && !pending.get(spec.key)) pending.set(spec.key, errors[i] ?? null)
    })
    return { value: merged, totals, pending, want, shortened }
    // merged follows the pages, pendingKey what is on its way: the rest follows from them.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [merged, pendingKey, want])
}

/**
 * The state with the loaded pages added: parents before children (a page's containers exist
 * once their parent's page is in), and for each container in order until the first page missing
 * (an array's indices stay its own).
 */
function merge(state: JsonValue, specs: PageSpec[], datas: Array<Page | undefined>): JsonValue {
  const order = specs
    .map((spec, i) => ({ spec, page: datas[i] }))
    .sort((a, b) => a.spec.path.length - b.spec.path.length || a.spec.offset - b.spec.offset)
  const stopped = new Set<string>()
  let value = state
  for (const { spec, page } of order) {
    if (stopped.has(spec.key)) continue
    if (!page) {
      stopped.add(spec.key)
      continue
    }
    value = updateAt(value, spec.path, (c) => appendPage(c, page))
  }
  return value
}
