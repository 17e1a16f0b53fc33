/**
 * An aggregate's state sent in pages (issue 10): a state of tens of thousands of entities is
 * megabytes of JSON, and converting, sending and parsing all of it on every scrub step cost
 * seconds. An answer carries each container's first children only, within a budget of nodes,
 * and says beside the state (never inside it: user data that looks like a marker stays data)
 * which containers it cut and how many children each has; `getStateChildren` sends the rest.
 * Pure TypeScript and zod only: the server cuts with it and the renderer's tests' fake too.
 */
import { z } from 'zod'
import {
  type Children,
  childrenOf,
  type DisplayRecord,
  isTyped,
  type TypedLeaf,
  withChildren,
} from './displayValue'
import { DisplayValue, type JsonValue } from './jsonValue'

/** Where a value is in the state: object keys as strings, array indices as numbers. */
export const StatePath = z.array(z.union([z.string(), z.number().int().min(0)])).max(1000)
export type StatePath = z.infer<typeof StatePath>

/** A container the answer holds only the first `shown` children of (in key or index order). */
export const OmittedChildren = z.object({
  path: StatePath,
  kind: z.enum(['object', 'array']),
  shown: z.number().int().min(0),
  total: z.number().int().min(1),
})
export type OmittedChildren = z.infer<typeof OmittedChildren>

/** One child of a container: its key (object) or index (array) and its value, itself cut. */
export const StateChild = z.object({
  key: z.union([z.string(), z.number().int().min(0)]),
  value: DisplayValue,
})

/**
 * Characters of one string an answer shows at most: a store written by another program may
 * hold megabytes in one field, sent (and drawn) on every step otherwise.
 */
export const STRING_SHOWN_MAX = 10_000

/** A string an answer shortened to its first STRING_SHOWN_MAX characters: where, and its length. */
export const ShortenedString = z.object({ path: StatePath, length: z.number().int().min(0) })
export type ShortenedString = z.infer<typeof ShortenedString>

/** Children per container in one answer, at most. */
export const STATE_PAGE = 100
/** Values (leaves and containers) in one answer, at most, beside the ones on the way. */
export const STATE_BUDGET = 5000

interface Pending {
  readonly source: Children
  readonly target: Children
  readonly path: StatePath
}

/** Sets a key as data (a key like "__proto__" included). */
function put(target: DisplayRecord, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

/** A string of at most STRING_SHOWN_MAX characters, or undefined if `text` is one already. */
function shortenedText(text: string): string | undefined {
  return text.length > STRING_SHOWN_MAX ? text.slice(0, STRING_SHOWN_MAX) : undefined
}

/**
 * Cuts `values` (each at its path) breadth first: a container gets up to `perContainer` children
 * while the budget lasts, the rest are listed in `omitted`. Breadth first, so that the levels
 * the tree opens first are whole before deeper ones take the budget. Strings longer than
 * STRING_SHOWN_MAX (a typed value's text too: bytes) are shortened and listed in `shortened`.
 */
function cut(
  values: ReadonlyArray<{ value: JsonValue; path: StatePath }>,
  perContainer: number,
  budget: number,
  known?: ReadonlyMap<string, number>,
): { values: JsonValue[]; omitted: OmittedChildren[]; shortened: ShortenedString[] } {
  const omitted: OmittedChildren[] = []
  const shortened: ShortenedString[] = []
  const queue: Pending[] = []
  const copy = (value: JsonValue, path: StatePath): JsonValue => {
    if (typeof value === 'string') {
      const short = shortenedText(value)
      if (short === undefined) return value
      shortened.push({ path, length: value.length })
      return short
    }
    const source = childrenOf(value)
    if (source === undefined) {
      const text = isTyped(value) && 'v' in value ? value.v : undefined
      if (typeof text !== 'string') return value
      const short = shortenedText(text)
      if (short === undefined) return value
      shortened.push({ path, length: text.length })
      return { ...(value as TypedLeaf), v: short }
    }
    const target = Array.isArray(source) ? [] : {}
    queue.push({ source, target, path })
    return withChildren(value, target)
  }
  const out = values.map(({ value, path }) => copy(value, path))
  let left = budget
  for (let q = 0; q < queue.length; q++) {
    const { source, target, path } = queue[q]!
    const array = Array.isArray(source)
    const keys = array ? null : Object.keys(source)
    const held = array ? source.length : keys!.length
    const shown = Math.max(0, Math.min(held, perContainer, left))
    // A container the conversion already cut holds fewer children than it has.
    const total = (known?.size && known.get(JSON.stringify(path))) || held
    left -= shown
    for (let i = 0; i < shown; i++) {
      if (array) (target as JsonValue[]).push(copy(source[i]!, [...path, i]))
      else {
        const key = keys![i]!
        const child = source[key]!
        put(target as DisplayRecord, key, copy(child, [...path, key]))
      }
    }
    if (shown < total) omitted.push({ path, kind: array ? 'array' : 'object', shown, total })
  }
  return { values: out, omitted, shortened }
}

/** The state an answer carries, the containers it cut and the strings it shortened. */
export function pageState(
  state: JsonValue,
  perContainer = STATE_PAGE,
  budget = STATE_BUDGET,
  /** Child counts of containers `state` holds cut already, by path as JSON. */
  known?: ReadonlyMap<string, number>,
): { state: JsonValue; omitted: OmittedChildren[]; shortened: ShortenedString[] } {
  const { values, omitted, shortened } = cut(
    [{ value: state, path: [] }],
    perContainer,
    budget,
    known,
  )
  return { state: values[0]!, omitted, shortened }
}

/**
 * The value at `path` (display keys and indices, shared/displayValue.ts), or undefined when
 * there is none (a key or index that is not there).
 */
export function valueAt(state: JsonValue, path: StatePath): JsonValue | undefined {
  let v: JsonValue | undefined = state
  for (const segment of path) {
    const children = childrenOf(v)
    if (children === undefined) return undefined
    if (Array.isArray(children)) {
      if (typeof segment !== 'number' || segment >= children.length) return undefined
      v = children[segment]!
    } else {
      if (typeof segment !== 'string' || !Object.prototype.hasOwnProperty.call(children, segment))
        return undefined
      v = children[segment]!
    }
  }
  return v
}

export interface ChildrenPage {
  total: number
  offset: number
  children: Array<{ key: string | number; value: JsonValue }>
  omitted: OmittedChildren[]
  shortened: ShortenedString[]
}

/**
 * Children offset…offset+limit-1 of the container at `path` (in key or index order), each cut
 * as an answer's state is, their omitted containers at their full paths; undefined when `path`
 * is not a container of `state`.
 */
export function childrenPage(
  state: JsonValue,
  path: StatePath,
  offset: number,
  limit: number,
  perContainer = STATE_PAGE,
  budget = STATE_BUDGET,
): ChildrenPage | undefined {
  const container = childrenOf(valueAt(state, path))
  if (container === undefined) return undefined
  const array = Array.isArray(container)
  const keys: Array<string | number> = array
    ? Array.from(
        { length: Math.max(0, Math.min(limit, container.length - offset)) },
        (_, i) => offset + i,
      )
    : Object.keys(container).slice(offset, offset + limit)
  const total = array ? container.length : Object.keys(container).length
  const children = keys.map((key) => ({
    key,
    value: array ? container[key as number]! : container[key as string]!,
  }))
  return pageOf(path, total, offset, children, perContainer, budget)
}

/**
 * A page of the children of the container at `path`, `total` in all, from `offset`: each child
 * cut as an answer's state is (`known`: the child counts of containers already cut, by path as
 * JSON), their omitted containers at their full paths.
 */
export function pageOf(
  path: StatePath,
  total: number,
  offset: number,
  children: ReadonlyArray<{ key: string | number; value: JsonValue }>,
  perContainer = STATE_PAGE,
  budget = STATE_BUDGET,
  known?: ReadonlyMap<string, number>,
): ChildrenPage {
  const picked = children.map(({ key, value }) => ({ value, path: [...path, key] }))
  // The page's own children are all sent: the budget applies below them.
  const { values, omitted, shortened } = cut(
    picked,
    perContainer,
    Math.max(budget - picked.length, 0),
    known,
  )
  return {
    total,
    offset,
    children: children.map(({ key }, i) => ({ key, value: values[i]! })),
    omitted,
    shortened,
  }
}
