/**
 * Aggregate state and event payloads in the display encoding (shared/displayValue.ts): JSON in
 * which every value keeps its kind, so the renderer never has to guess one (a date from text
 * that looks like one). The value kinds are the library's (visitValue); an instance's type is
 * its registered topic, or its class's name.
 */
import type { JsonValue, StatePath } from '../../shared/contract'
import { type DisplayRecord, fieldKey } from '../../shared/displayValue'
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
 * Whether every key of `map` is a string that is neither integer-like nor begins with "@": a
 * map's keys are distinct, and such a key is shown as itself, so its keys are its display's,
 * in their order.
 */
export function plainStringKeys(map: ReadonlyMap<unknown, unknown>): boolean {
  for (const k of map.keys())
    if (typeof k !== 'string' || k.charCodeAt(0) === 64 || isIndexKey(k)) return false
  return true
}

/** The type an instance is shown with: its registered topic, else its class's name. */
export function instanceType(value: object, registry: TopicRegistry = defaultTopics): string {
  return (
    classTopicOf(value, registry) ??
    (value.constructor as { name?: string } | undefined)?.name ??
    'object'
  )
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
    // JSON has no NaN or Infinity: typed, so that they are not taken for text.
    number: (value) =>
      Number.isFinite(value) ? value : { '@': 'number', v: valueText.number(value) },
    bigint: (value) => ({ '@': 'bigint', v: valueText.bigint(value) }),
    symbol: (value) => ({ '@': 'symbol', v: String(value) }),
    function: (value) => ({ '@': 'function', v: value.name }),
    date: (value) => ({
      '@': 'date',
      v: Number.isNaN(value.getTime()) ? null : valueText.date(value),
    }),
    uuid: (value) => ({ '@': 'uuid', v: valueText.uuid(value) }),
    bytes: (value) => ({ '@': 'bytes', v: valueText.bytes(value) }),
    array: (value) => this.container(value, () => this.items(value)),
    set: (value) => this.container(value, () => ({ '@': 'set', items: this.items([...value]) })),
    map: (value) => this.container(value, () => ({ '@': 'map', entries: this.entries(value) })),
    object: (value) => this.container(value, () => this.fields(value)),
    instance: (value) =>
      this.container(value, () => ({
        '@': 'instance',
        type: instanceType(value, this.registry),
        fields: this.fields(value),
      })),
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
      const byKey = this.byDisplayKey(value)
      const keys = keyOrder([...byKey.keys()])
      return { keys, at: (i) => byKey.get(keys[i]!) }
    },
    object: (value) => this.fieldList(value),
    instance: (value) => this.fieldList(value),
  }

  /** As fields() lists them: the defined fields, by their display keys. */
  private fieldList(value: object): ChildList {
    const fields = value as Record<string, unknown>
    const names = keyOrder(Object.keys(value).filter((k) => fields[k] !== undefined))
    return { keys: names.map(fieldKey), at: (i) => fields[names[i]!] }
  }

  private items(values: readonly unknown[]): JsonValue {
    const depth = this.depth + 1
    const n = this.shown(values.length)
    const out: JsonValue[] = new Array<JsonValue>(n)
    for (let i = 0; i < n; i++) out[i] = this.child(values[i], i, depth)
    return out
  }

  /** A map's entries by their display keys (shared/displayValue.ts). */
  private entries(value: ReadonlyMap<unknown, unknown>): DisplayRecord {
    const depth = this.depth + 1
    const out: DisplayRecord = {}
    if (plainStringKeys(value)) {
      // Distinct keys, already in the object's order: the first n entries are the ones shown,
      // with no map of all 20,000 keys built to find them (issue 10).
      const n = this.perContainer === undefined ? value.size : this.shown(value.size)
      let i = 0
      for (const [k, v] of value as ReadonlyMap<string, unknown>) {
        if (i++ === n) break
        defineField(out, k, this.child(v, k, depth))
      }
      return out
    }
    const byKey = this.byDisplayKey(value)
    const keys = keyOrder([...byKey.keys()])
    const n = this.perContainer === undefined ? keys.length : this.shown(keys.length)
    for (let i = 0; i < n; i++)
      defineField(out, keys[i]!, this.child(byKey.get(keys[i]!), keys[i]!, depth))
    return out
  }

  /** A map's values by their keys' display keys; keys shown alike are told apart by a count. */
  private byDisplayKey(value: ReadonlyMap<unknown, unknown>): Map<string, unknown> {
    const byKey = new Map<string, unknown>()
    for (const [k, v] of value) {
      const key = this.mapKey(k)
      if (!byKey.has(key)) {
        byKey.set(key, v)
        continue
      }
      let repeat = 2
      while (byKey.has(`${key}\u0000${repeat}`)) repeat++
      byKey.set(`${key}\u0000${repeat}`, v)
    }
    return byKey
  }

  private container(value: object, show: () => JsonValue): JsonValue {
    if (this.ancestors.has(value)) return { '@': 'cycle' }
    if (this.depth >= MAX_DEPTH) return { '@': 'tooDeep' }
    this.ancestors.add(value)
    try {
      return show()
    } finally {
      this.ancestors.delete(value)
    }
  }

  /** An object's defined fields, by their display keys (a leading "@" doubled). */
  private fields(value: object): DisplayRecord {
    const keys = Object.keys(value)
    if (this.perContainer !== undefined && keys.length > this.perContainer)
      return this.cutFields(value, keys)
    const out: DisplayRecord = {}
    const depth = this.depth + 1
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      const key = k.charCodeAt(0) === 64 ? `@${k}` : k
      const shown = this.child(v, key, depth)
      // Defined, not assigned: a key like "__proto__" stays plain data.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: shown,
          enumerable: true,
          writable: true,
          configurable: true,
        })
      else out[key] = shown
    }
    return out
  }

  /** fields() of a large object: its first fields, in the order the whole object has them. */
  private cutFields(value: object, all: string[]): DisplayRecord {
    const fields = value as Record<string, unknown>
    const names = keyOrder(all.filter((k) => fields[k] !== undefined))
    const out: DisplayRecord = {}
    const depth = this.depth + 1
    const n = this.shown(names.length)
    for (let i = 0; i < n; i++) {
      const key = fieldKey(names[i]!)
      defineField(out, key, this.child(fields[names[i]!], key, depth))
    }
    return out
  }

  /** A map key's display key: a string as a field's, any other "@" and its display's JSON. */
  private mapKey(key: unknown): string {
    if (typeof key === 'string') return fieldKey(key)
    return `@${JSON.stringify(toDisplayJson(key, this.registry))}`
  }
}

/** Sets a key as data (a key like "__proto__" included). */
function defineField(out: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
}
