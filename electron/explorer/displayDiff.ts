/**
 * The differences between two states' displays, converting only what differs: exactly
 * `diffDisplay(toDisplayJson(before), toDisplayJson(after))`, without converting the two
 * whole states. The Diff tab asks for them at every version it shows, and for the demo's
 * 20,000-entity state the two conversions and the diff of their trees took 150 ms of the
 * server's thread (issue 10), where walking the raw states side by side takes a few.
 *
 * Children whose raw values are equal (rawEqual: only ever true when their displays are equal)
 * are skipped; containers shown as containers of the same kind are walked; anything else is
 * converted and compared as microdiff compares displays. States the walk cannot mirror exactly
 * (a cycle, nesting near the display's depth limit, a field named like a property of
 * Object.prototype, an own "@type" field) are diffed the whole way.
 */
import type { DiffEntry, JsonValue } from '../../shared/contract'
import {
  topics as defaultTopics,
  type TopicRegistry,
  type ValueKind,
  valueKind,
} from '../eventsourcing'
import {
  type ChildList,
  compactDiff,
  diffDisplay,
  displayChildList,
  MAX_DEPTH,
  plainStringKeys,
  toDisplayJson,
} from './displayJson'

/** Thrown inside the walk when the shortcut cannot answer exactly. */
const UNUSUAL = Symbol('unusual state')

export function diffStates(
  before: unknown,
  after: unknown,
  registry: TopicRegistry = defaultTopics,
): DiffEntry[] {
  const whole = () => diffDisplay(toDisplayJson(before, registry), toDisplayJson(after, registry))
  const kind = containerKind(before)
  if (kind === undefined || kind !== containerKind(after)) return whole()
  if (!boundedTree(before) || !boundedTree(after)) return whole()
  try {
    return compactDiff(new StateDiff(registry).walk(before, after, kind))
  } catch (error) {
    if (error === UNUSUAL) return whole()
    throw error
  }
}

type ContainerKind = 'list' | 'record'

/** The kinds shown as containers, and as which. */
const CONTAINERS: Partial<Record<ValueKind, ContainerKind>> = {
  array: 'list',
  set: 'list',
  map: 'record',
  object: 'record',
  instance: 'record',
}

/** How `value` is shown: a list, a record (an object), or undefined for a leaf. */
function containerKind(value: unknown): ContainerKind | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  return CONTAINERS[valueKind(value)]
}

/**
 * Whether `root` has no cycle and nests well within the display's depth limit: then every
 * part of it is shown whole wherever it sits ('[Circular]' and '[…]' never appear), so a part
 * converted alone is shown as the whole conversion shows it.
 */
function boundedTree(root: unknown): boolean {
  const ancestors = new Set<object>()
  const visit = (value: unknown, depth: number): boolean => {
    if (typeof value !== 'object' || value === null) return true
    if (ancestors.has(value) || depth >= MAX_DEPTH - 2) return false
    const kind = valueKind(value)
    if (CONTAINERS[kind] === undefined) return true
    ancestors.add(value)
    try {
      if (kind === 'map') {
        for (const [k, v] of value as Map<unknown, unknown>)
          if (!visit(k, depth + 1) || !visit(v, depth + 1)) return false
        return true
      }
      const children =
        kind === 'array' || kind === 'set'
          ? (value as Iterable<unknown>)
          : Object.values(value as Record<string, unknown>)
      for (const child of children) if (!visit(child, depth + 1)) return false
      return true
    } finally {
      ancestors.delete(value)
    }
  }
  return visit(root, 0)
}

/**
 * Whether `a` and `b` are shown alike, by their raw values (false when unsure: the caller then
 * converts and compares). Same kinds, prototypes, keys in the same order and equal children.
 */
export function rawEqual(a: unknown, b: unknown): boolean {
  // Object.is: -0 and 0 are shown apart (microdiff compares displays with it); NaN as NaN.
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object') return false
  if (a === null || b === null) return false
  const kind = valueKind(a)
  if (kind !== valueKind(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  switch (kind) {
    case 'date': {
      const x = (a as Date).getTime()
      const y = (b as Date).getTime()
      return x === y || (Number.isNaN(x) && Number.isNaN(y))
    }
    case 'uuid':
      return (a as { hex: string }).hex === (b as { hex: string }).hex
    case 'bytes':
      return bytesOf(a as Uint8Array).equals(bytesOf(b as Uint8Array))
    case 'array': {
      const x = a as unknown[]
      const y = b as unknown[]
      if (x.length !== y.length) return false
      for (let i = 0; i < x.length; i++) if (!rawEqual(x[i], y[i])) return false
      return true
    }
    case 'set':
    case 'map': {
      const x = a as Set<unknown> | Map<unknown, unknown>
      const y = b as Set<unknown> | Map<unknown, unknown>
      if (x.size !== y.size) return false
      const ys = y.entries()
      for (const [k, v] of x.entries()) {
        const next = ys.next().value as [unknown, unknown]
        if (!rawEqual(k, next[0]) || !rawEqual(v, next[1])) return false
      }
      return true
    }
    case 'object':
    case 'instance': {
      const x = a as Record<string, unknown>
      const y = b as Record<string, unknown>
      const keys = Object.keys(x)
      const others = Object.keys(y)
      if (keys.length !== others.length) return false
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        if (k !== others[i] || !rawEqual(x[k], y[k])) return false
      }
      return true
    }
    default:
      return false
  }
}

/** A view of the bytes, not a copy. */
function bytesOf(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/** A container's children with a lookup by key. */
interface Children {
  readonly list: ChildList
  /** The child shown under `key`, or NONE. */
  get(key: string | number): unknown
}

const NONE = Symbol('none')

class StateDiff {
  constructor(private readonly registry: TopicRegistry) {}

  walk(before: unknown, after: unknown, kind: ContainerKind): DiffEntry[] {
    const a = this.children(before, kind)
    const b = this.children(after, kind)
    const out: DiffEntry[] = []
    // As microdiff: each key of `before` removed, walked or changed, then the keys added.
    a.list.keys.forEach((key, i) => {
      const x = a.list.at(i)
      const y = b.get(key)
      if (y === NONE) {
        out.push({ path: [key], kind: 'removed', before: this.show(x) })
        return
      }
      if (rawEqual(x, y)) return
      const inner = containerKind(x)
      if (inner !== undefined && inner === containerKind(y)) {
        for (const entry of this.walk(x, y, inner)) {
          entry.path.unshift(key)
          out.push(entry)
        }
        return
      }
      // A leaf on either side, or a list against a record: compared as shown.
      for (const entry of diffDisplay({ key: this.show(x) }, { key: this.show(y) })) {
        entry.path[0] = key
        out.push(entry)
      }
    })
    b.list.keys.forEach((key, i) => {
      if (a.get(key) === NONE)
        out.push({ path: [key], kind: 'added', after: this.show(b.list.at(i)) })
    })
    return out
  }

  private show(value: unknown): JsonValue {
    return toDisplayJson(value, this.registry)
  }

  private children(value: unknown, kind: ContainerKind): Children {
    const list = displayChildList(value, this.registry)
    if (!list) throw UNUSUAL
    if (kind === 'list')
      return {
        list,
        get: (i) => (typeof i === 'number' && i < list.keys.length ? list.at(i) : NONE),
      }
    // microdiff asks `key in object`, which a display object also answers for the names of
    // Object.prototype; an instance's own "@type" field would be listed twice.
    for (const key of list.keys) if ((key as string) in Object.prototype) throw UNUSUAL
    if (valueKind(value) === 'instance' && Object.hasOwn(value as object, '@type')) throw UNUSUAL
    // A map whose keys are shown as themselves: looked up in the map itself, no index built.
    if (value instanceof Map && plainStringKeys(value))
      return { list, get: (key) => (value.has(key) ? (value.get(key) as unknown) : NONE) }
    const index = new Map<string | number, number>()
    list.keys.forEach((key, i) => index.set(key, i))
    return {
      list,
      get: (key) => {
        const i = index.get(key)
        return i === undefined ? NONE : list.at(i)
      },
    }
  }
}
