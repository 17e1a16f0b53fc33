/**
 * Aggregate state and event payloads as plain JSON the renderer can show and diff: maps become
 * objects, dates ISO strings, UUIDs strings, instances of registered classes
 * `{ "@type": topic, ...fields }` (an unregistered class: its name), bigints strings and bytes
 * base64. The value kinds are the library's (visitValue); only this format is defined here.
 */
import microdiff from 'microdiff'
import type { DiffEntry, JsonValue, StatePath } from '../../shared/contract'
import {
  classTopicOf,
  type TopicRegistry,
  topics as defaultTopics,
  type ValueVisitor,
  valueText,
  visitValue,
} from '../eventsourcing'

export const MAX_DEPTH = 64

/**
 * A walk kept per registry between conversions: building one (its visitor is an object of
 * closures) cost more than converting a small event payload, and a page converts one per event.
 * Taken out while in use, so a conversion inside another (a map's key) gets its own.
 */
const idleWalks = new WeakMap<TopicRegistry, DisplayWalk>()

export function toDisplayJson(value: unknown, registry: TopicRegistry = defaultTopics): JsonValue {
  const walk = idleWalks.get(registry) ?? new DisplayWalk(registry)
  idleWalks.delete(registry)
  try {
    return walk.show(value, 0)
  } finally {
    idleWalks.set(registry, walk)
  }
}

/** A container shown with its first children only: how many it has (shared/statePages.ts). */
export interface CutContainer {
  readonly path: StatePath
  readonly total: number
}

/**
 * As toDisplayJson, but a container of more than `perContainer` children converts its first
 * ones only (in the order the whole conversion gives them) and is listed in `cut`: a 20,000-
 * entity state is converted on every scrub step, and converting all of it cost more than the
 * rest of the answer (issue 10).
 */
export function toDisplayJsonCut(
  value: unknown,
  perContainer: number,
  registry: TopicRegistry = defaultTopics,
): { value: JsonValue; cut: CutContainer[] } {
  const walk = new DisplayWalk(registry, perContainer)
  return { value: walk.show(value, 0), cut: walk.cut }
}

/** Whether an object lists `key` among its integer-like keys (an array index: first). */
function isIndexKey(key: string): boolean {
  const first = key.charCodeAt(0)
  if (first < 48 || first > 57 || key.length > 10) return false
  if (first === 48) return key.length === 1
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return Number(key) < 4294967295
}

/** The order an object with these keys lists them in (integer-like keys first). */
function keyOrder(keys: readonly string[]): string[] {
  // Most keys are not integer-like: their order is already the object's, and building the
  // probe object for a 20,000-key container cost more than the rest of its cut (issue 10).
  if (!keys.some(isIndexKey)) return keys as string[]
  const probe: Record<string, true> = Object.create(null) as Record<string, true>
  for (const k of keys) probe[k] = true
  return Object.keys(probe)
}

/**
 * Whether every key of `map` is a string that is not integer-like: a map's keys are distinct,
 * and a string key is shown as itself, so its keys are its display's, in their order.
 */
export function plainStringKeys(map: ReadonlyMap<unknown, unknown>): boolean {
  for (const k of map.keys()) if (typeof k !== 'string' || isIndexKey(k)) return false
  return true
}

/**
 * The children `value`'s display lists, unconverted, in its order (keys are indices for a
 * list); undefined for a value shown as a leaf. What displayDiff.ts walks.
 */
export function displayChildList(
  value: unknown,
  registry: TopicRegistry = defaultTopics,
): ChildList | undefined {
  return new DisplayWalk(registry).children(value)
}

/** A container's children in display order: their keys (indices for a list) and raw values. */
export interface ChildList {
  readonly keys: Array<string | number>
  at(index: number): unknown
}

export interface DisplayPage {
  readonly total: number
  readonly children: Array<{ key: string | number; value: JsonValue }>
  /** Containers among the children cut in turn, at their full paths. */
  readonly cut: CutContainer[]
}

/**
 * Children offset…offset+limit-1 of the container at `path` of `value`'s display (as
 * toDisplayJson would show them, in its order), each cut at `perContainer` children; only they
 * are converted. Undefined when the display has no object or array at `path`.
 */
export function displayChildren(
  value: unknown,
  path: StatePath,
  offset: number,
  limit: number,
  perContainer: number,
  registry: TopicRegistry = defaultTopics,
): DisplayPage | undefined {
  return new DisplayWalk(registry, perContainer).page(value, path, offset, limit)
}

/** One conversion: the registry, and the containers being shown (to cut cycles). */
class DisplayWalk {
  private readonly ancestors = new Set<object>()
  private depth = 0
  /** With perContainer: where the value being shown is, and the containers cut so far. */
  private readonly path: Array<string | number> = []
  readonly cut: CutContainer[] = []

  constructor(
    private readonly registry: TopicRegistry,
    private readonly perContainer?: number,
  ) {}

  /** `value` shown as the child `segment` of the value being shown. */
  private child(value: unknown, segment: string | number, depth: number): JsonValue {
    if (this.perContainer === undefined) return this.show(value, depth)
    this.path.push(segment)
    try {
      return this.show(value, depth)
    } finally {
      this.path.pop()
    }
  }

  /** How many of `total` children to show, noting a cut container. */
  private shown(total: number): number {
    const limit = this.perContainer
    if (limit === undefined || total <= limit) return total
    this.cut.push({ path: [...this.path], total })
    return limit
  }

  show(value: unknown, depth: number): JsonValue {
    // Most of a large state is strings, booleans and numbers: shown as they are, without the
    // visitor's dispatch (a 20,000-entity state is converted on every scrub step; issue 10).
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value
      case 'number':
        if (Number.isFinite(value)) return value
        break
      default:
        break
    }
    const outer = this.depth
    this.depth = depth
    try {
      return visitValue(value, this.visitor)
    } finally {
      this.depth = outer
    }
  }

  private readonly visitor: ValueVisitor<JsonValue> = {
    undefined: () => null,
    null: () => null,
    boolean: (value) => value,
    string: (value) => value,
    // JSON has no NaN or Infinity; show them as text rather than as null.
    number: (value) => (Number.isFinite(value) ? value : valueText.number(value)),
    bigint: (value) => valueText.bigint(value),
    symbol: () => '[symbol]',
    function: () => '[function]',
    date: (value) => (Number.isNaN(value.getTime()) ? 'Invalid Date' : valueText.date(value)),
    uuid: (value) => valueText.uuid(value),
    bytes: (value) => valueText.bytes(value),
    array: (value) => this.container(value, () => this.items(value)),
    set: (value) => this.container(value, () => this.items([...value])),
    map: (value) => this.container(value, () => this.entries(value)),
    object: (value) => this.container(value, () => this.fields(value, undefined)),
    instance: (value) => this.container(value, () => this.fields(value, this.typeOf(value))),
  }

  private typeOf(value: object): string {
    return (
      classTopicOf(value, this.registry) ??
      (value.constructor as { name?: string } | undefined)?.name ??
      'object'
    )
  }

  /**
   * Children offset…offset+limit-1 of the container at `path` of `value`'s display, converted
   * alone (each cut as toDisplayJsonCut cuts); undefined when the display has no container
   * there. The way down converts nothing: each container's children are listed, not shown.
   */
  page(value: unknown, path: StatePath, offset: number, limit: number): DisplayPage | undefined {
    let v = value
    for (let d = 0; ; d++) {
      if (typeof v !== 'object' || v === null) return undefined
      // Shown as '[Circular]' or '[…]' (container()): not a container there.
      if (this.ancestors.has(v) || d >= MAX_DEPTH) return undefined
      const list = visitValue(v, this.lister)
      if (!list) return undefined
      this.ancestors.add(v)
      if (d === path.length) {
        this.path.push(...path)
        const children: DisplayPage['children'] = []
        for (let i = offset; i < Math.min(list.keys.length, offset + limit); i++)
          children.push({ key: list.keys[i]!, value: this.child(list.at(i), list.keys[i]!, d + 1) })
        return { total: list.keys.length, children, cut: this.cut }
      }
      const i = list.keys.indexOf(path[d]!)
      if (i < 0) return undefined
      v = list.at(i)
    }
  }

  children(value: unknown): ChildList | undefined {
    return visitValue(value, this.lister)
  }

  /** A container's children as its display lists them, unconverted; undefined for a leaf. */
  private readonly lister: ValueVisitor<ChildList | undefined> = {
    undefined: () => undefined,
    null: () => undefined,
    boolean: () => undefined,
    string: () => undefined,
    number: () => undefined,
    bigint: () => undefined,
    symbol: () => undefined,
    function: () => undefined,
    date: () => undefined,
    uuid: () => undefined,
    bytes: () => undefined,
    array: (value) => ({ keys: value.map((_, i) => i), at: (i) => value[i] }),
    set: (value) => {
      const items = [...value]
      return { keys: items.map((_, i) => i), at: (i) => items[i] }
    },
    map: (value) => {
      if (plainStringKeys(value)) {
        // Distinct, shown as themselves and in order (entries()): no map of the keys shown.
        const keys = [...(value as ReadonlyMap<string, unknown>).keys()]
        return { keys, at: (i) => value.get(keys[i]!) }
      }
      // A later key shown as an earlier one's replaces it, as in entries().
      const byKey = new Map<string, unknown>()
      for (const [k, v] of value) byKey.set(this.mapKey(k), v)
      const keys = keyOrder([...byKey.keys()])
      return { keys, at: (i) => byKey.get(keys[i]!) }
    },
    object: (value) => this.fieldList(value, undefined),
    instance: (value) => this.fieldList(value, this.typeOf(value)),
  }

  /** As fields() lists them: "@type" (unless a field replaces it) and the defined fields. */
  private fieldList(value: object, type: string | undefined): ChildList {
    const fields = value as Record<string, unknown>
    const defined = Object.keys(value).filter((k) => fields[k] !== undefined)
    const keys = keyOrder(type === undefined ? defined : ['@type', ...defined])
    return {
      keys,
      at: (i) => (keys[i] === '@type' && fields['@type'] === undefined ? type : fields[keys[i]!]),
    }
  }

  private items(values: readonly unknown[]): JsonValue {
    const depth = this.depth + 1
    const n = this.shown(values.length)
    const out: JsonValue[] = new Array<JsonValue>(n)
    for (let i = 0; i < n; i++) out[i] = this.child(values[i], i, depth)
    return out
  }

  /** A map as an object; a later key shown as an earlier one's replaces it, as in fromEntries. */
  private entries(value: ReadonlyMap<unknown, unknown>): JsonValue {
    const depth = this.depth + 1
    if (this.perContainer === undefined || value.size <= this.perContainer)
      return Object.fromEntries(
        [...value].map(([k, v]) => {
          const key = this.mapKey(k)
          return [key, this.child(v, key, depth)]
        }),
      ) as JsonValue
    const out: Record<string, JsonValue> = {}
    if (plainStringKeys(value)) {
      // Distinct keys, already in the object's order: the first n entries are the ones shown,
      // with no map of all 20,000 keys built to find them (issue 10).
      const n = this.shown(value.size)
      let i = 0
      for (const [k, v] of value as ReadonlyMap<string, unknown>) {
        if (i++ === n) break
        defineField(out, k, this.child(v, k, depth))
      }
      return out
    }
    const byKey = new Map<string, unknown>()
    for (const [k, v] of value) byKey.set(this.mapKey(k), v)
    const keys = keyOrder([...byKey.keys()])
    const n = this.shown(keys.length)
    for (let i = 0; i < n; i++)
      defineField(out, keys[i]!, this.child(byKey.get(keys[i]!), keys[i]!, depth))
    return out
  }

  private container(value: object, show: () => JsonValue): JsonValue {
    if (this.ancestors.has(value)) return '[Circular]'
    if (this.depth >= MAX_DEPTH) return '[…]'
    this.ancestors.add(value)
    try {
      return show()
    } finally {
      this.ancestors.delete(value)
    }
  }

  /** `{ "@type": type, ...fields }` (no "@type" for a plain object). */
  private fields(value: object, type: string | undefined): JsonValue {
    if (this.perContainer !== undefined) {
      const keys = Object.keys(value)
      if (keys.length + 1 > this.perContainer) return this.cutFields(value, keys, type)
    }
    const out: Record<string, JsonValue> = {}
    if (type !== undefined) out['@type'] = type
    const depth = this.depth + 1
    const keys = Object.keys(value)
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      const shown = this.child(v, k, depth)
      // Defined, not assigned: a key like "__proto__" stays plain data.
      if (k === '__proto__')
        Object.defineProperty(out, k, {
          value: shown,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      else out[k] = shown
    }
    return out
  }

  /** fields() of a large object: its first fields, in the order the whole object has them. */
  private cutFields(value: object, all: string[], type: string | undefined): JsonValue {
    const fields = value as Record<string, unknown>
    const defined = all.filter((k) => fields[k] !== undefined)
    const keys = keyOrder(type === undefined ? defined : ['@type', ...defined])
    const out: Record<string, JsonValue> = {}
    const depth = this.depth + 1
    const n = this.shown(keys.length)
    for (let i = 0; i < n; i++) {
      const k = keys[i]!
      // "@type" is the type unless a field of that name replaces it, as in fields().
      const shown =
        k === '@type' && fields[k] === undefined
          ? (type as string)
          : this.child(fields[k], k, depth)
      defineField(out, k, shown)
    }
    return out
  }

  private mapKey(key: unknown): string {
    if (typeof key === 'string') return key
    const shown = toDisplayJson(key, this.registry)
    return typeof shown === 'string' ? shown : JSON.stringify(shown)
  }
}

/**
 * The differences between two display values. Objects are compared field by field; when one
 * side is null (before creation, after a discard) every field of the other side is added or
 * removed.
 */
export function diffDisplay(before: JsonValue, after: JsonValue): DiffEntry[] {
  return compactDiff(fullDiff(before, after))
}

/**
 * Characters of a string a diff entry carries at most: the Diff tab shows 120 of a value, and a
 * snapshot's 50 MB string, changed, made an answer of 50 MB.
 */
export const DIFF_STRING_CHARS = 1000

/** The entries with each string in their values past DIFF_STRING_CHARS cut, and said so. */
export function compactDiff(entries: DiffEntry[]): DiffEntry[] {
  return entries.map((entry) => {
    const out = { ...entry }
    if (entry.before !== undefined) out.before = cutStrings(entry.before)
    if (entry.after !== undefined) out.after = cutStrings(entry.after)
    return out
  })
}

function cutStrings(value: JsonValue): JsonValue {
  if (typeof value === 'string') {
    if (value.length <= DIFF_STRING_CHARS) return value
    // DIFF_STRING_CHARS in all, the note included: a cut string is never cut again.
    const note = `… (${value.length} characters in all)`
    return value.slice(0, DIFF_STRING_CHARS - note.length) + note
  }
  if (Array.isArray(value)) return value.map(cutStrings)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, JsonValue> = {}
  for (const [key, field] of Object.entries(value)) defineField(out, key, cutStrings(field))
  return out
}

function fullDiff(before: JsonValue, after: JsonValue): DiffEntry[] {
  const isContainer = (v: JsonValue): v is Record<string, JsonValue> | JsonValue[] =>
    typeof v === 'object' && v !== null
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    return microdiff(before, after).map((d): DiffEntry => {
      switch (d.type) {
        case 'CREATE':
          return { path: d.path, kind: 'added', after: d.value as JsonValue }
        case 'REMOVE':
          return { path: d.path, kind: 'removed', before: d.oldValue as JsonValue }
        case 'CHANGE':
          return {
            path: d.path,
            kind: 'changed',
            before: d.oldValue as JsonValue,
            after: d.value as JsonValue,
          }
      }
    })
  }
  if (before === null && isContainer(after)) {
    return Object.entries(after).map(([k, v]) => ({
      path: [Array.isArray(after) ? Number(k) : k],
      kind: 'added',
      after: v,
    }))
  }
  if (after === null && isContainer(before)) {
    return Object.entries(before).map(([k, v]) => ({
      path: [Array.isArray(before) ? Number(k) : k],
      kind: 'removed',
      before: v,
    }))
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return []
  return [{ path: [], kind: 'changed', before, after }]
}

/** Sets a key as data (a key like "__proto__" included). */
function defineField(out: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
}
