/**
 * The differences between two states' displays, converting only what differs: exactly
 * `diffDisplay(toDisplayJson(before), toDisplayJson(after))`, without converting the two
 * whole states. The Diff tab asks for them at every version it shows, and for the demo's
 * 20,000-entity state the two conversions and the diff of their trees took 150 ms of the
 * server's thread (issue 10), where walking the raw states side by side takes a few.
 *
 * Children whose raw values are equal (rawEqual: only ever true when their displays are equal)
 * are skipped; containers shown as containers of the same kind (and type) are walked; anything
 * else is converted and compared as diffDisplay compares displays. States the walk cannot
 * mirror exactly (a cycle, nesting near the display's depth limit) are diffed the whole way.
 */
import type { DiffEntry, JsonValue } from '../../shared/contract'
import {
  childrenOf,
  displayKind,
  type DisplayRecord,
  SET_MEMBER,
  type TypedSet,
} from '../../shared/displayValue'
import {
  topics as defaultTopics,
  type TopicRegistry,
  type ValueKind,
  valueKind,
} from '../eventsourcing'
import {
  type ChildList,
  displayChildList,
  instanceType,
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
  if (kind === undefined || !sameContainers(before, after, registry)) return whole()
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
 * Whether `a` and `b` are containers shown as the same kind (an array and a set are not; two
 * instances only of one type): only then are their children compared one by one.
 */
function sameContainers(a: unknown, b: unknown, registry: TopicRegistry): boolean {
  if (containerKind(a) === undefined) return false
  const kind = valueKind(a)
  if (kind !== valueKind(b)) return false
  return (
    kind !== 'instance' ||
    instanceType(a as object, registry) === instanceType(b as object, registry)
  )
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
    if (valueKind(before) === 'set')
      return this.members(before as Set<unknown>, after as Set<unknown>)
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
      if (inner !== undefined && sameContainers(x, y, this.registry)) {
        for (const entry of this.walk(x, y, inner)) {
          entry.path.unshift(key)
          out.push(entry)
        }
        return
      }
      // A leaf on either side, or containers of different kinds: compared as shown.
      const shownBefore = this.show(x)
      const shownAfter = this.show(y)
      if (!sameDisplay(shownBefore, shownAfter))
        out.push({ path: [key], kind: 'changed', before: shownBefore, after: shownAfter })
    })
    b.list.keys.forEach((key, i) => {
      if (a.get(key) === NONE)
        out.push({ path: [key], kind: 'added', after: this.show(b.list.at(i)) })
    })
    return out
  }

  /** A set's members added and removed, compared as shown (memberChanges). */
  private members(before: Set<unknown>, after: Set<unknown>): DiffEntry[] {
    const show = (value: unknown) => this.show(value)
    // Texts, numbers, booleans and bigints each have a display of their own, so the sets answer
    // which are in both and only the others are converted (-0 is 0 in a set, as shown).
    if (plainMembers(before) && plainMembers(after)) {
      const removed = [...before].filter((m) => !after.has(m))
      const added = [...after].filter((m) => !before.has(m))
      return memberEntries([], { removed: removed.map(show), added: added.map(show) })
    }
    return memberEntries([], memberChanges([...before].map(show), [...after].map(show)))
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

/**
 * The differences between two display values, by their children (shared/displayValue.ts):
 * containers of the same kind (and type) are compared child by child, in `before`'s order
 * (removed or changed), then the children only `after` has (added); anything else that is not
 * shown alike is one change. When one side is null (before creation, after a discard) every
 * child of the other side is added or removed.
 */
export function diffDisplay(before: JsonValue, after: JsonValue): DiffEntry[] {
  const out: DiffEntry[] = []
  const a = childrenOf(before)
  const b = childrenOf(after)
  if (before === null && b) {
    for (const [key, value] of childEntries(b))
      out.push({ path: [key], kind: 'added', after: value })
  } else if (after === null && a) {
    for (const [key, value] of childEntries(a))
      out.push({ path: [key], kind: 'removed', before: value })
  } else diffShown(before, after, [], out)
  return compactDiff(out)
}

function diffShown(
  before: JsonValue,
  after: JsonValue,
  path: Array<string | number>,
  out: DiffEntry[],
) {
  const a = childrenOf(before)
  const b = childrenOf(after)
  if (!a || !b || !sameShape(before, after)) {
    if (!sameDisplay(before, after)) out.push({ path: [...path], kind: 'changed', before, after })
    return
  }
  if (displayKind(before) === 'set') {
    const changes = memberChanges((before as TypedSet).items, (after as TypedSet).items)
    out.push(...memberEntries(path, changes))
    return
  }
  for (const [key, value] of childEntries(a)) {
    const other = childAt(b, key)
    if (other === undefined) out.push({ path: [...path, key], kind: 'removed', before: value })
    else diffShown(value, other, [...path, key], out)
  }
  for (const [key, value] of childEntries(b))
    if (childAt(a, key) === undefined)
      out.push({ path: [...path, key], kind: 'added', after: value })
}

function plainMembers(set: Set<unknown>): boolean {
  for (const m of set) {
    const type = typeof m
    if (type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'bigint')
      return false
  }
  return true
}

/**
 * A set's members, diffed by membership: a set has no positions, and by index one member taken
 * out read as every later member changed. Members are compared as shown (their display's JSON),
 * each matched at most once (two members shown alike count twice); the members `before` has
 * unmatched are removed, in its order, then those of `after` added.
 */
function memberChanges(
  before: readonly JsonValue[],
  after: readonly JsonValue[],
): { removed: JsonValue[]; added: JsonValue[] } {
  const unmatched = (members: readonly JsonValue[], others: readonly JsonValue[]) => {
    const counts = new Map<string, number>()
    for (const m of others) {
      const key = JSON.stringify(m)
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    return members.filter((m) => {
      const key = JSON.stringify(m)
      const count = counts.get(key) ?? 0
      counts.set(key, count - 1)
      return count <= 0
    })
  }
  return { removed: unmatched(before, after), added: unmatched(after, before) }
}

function memberEntries(
  path: ReadonlyArray<string | number>,
  { removed, added }: { removed: JsonValue[]; added: JsonValue[] },
): DiffEntry[] {
  return [
    ...removed.map((m): DiffEntry => ({ path: [...path, SET_MEMBER], kind: 'removed', before: m })),
    ...added.map((m): DiffEntry => ({ path: [...path, SET_MEMBER], kind: 'added', after: m })),
  ]
}

/** Containers of one display kind, and for instances one type. */
function sameShape(a: JsonValue, b: JsonValue): boolean {
  const kind = displayKind(a)
  if (kind !== displayKind(b)) return false
  return kind !== 'instance' || (a as { type: string }).type === (b as { type: string }).type
}

function childEntries(children: JsonValue[] | DisplayRecord): Array<[string | number, JsonValue]> {
  return Array.isArray(children) ? children.map((v, i) => [i, v]) : Object.entries(children)
}

function childAt(
  children: JsonValue[] | DisplayRecord,
  key: string | number,
): JsonValue | undefined {
  if (Array.isArray(children)) return typeof key === 'number' ? children[key] : undefined
  return typeof key === 'string' && Object.hasOwn(children, key) ? children[key] : undefined
}

/** Whether two displays are the same value (their JSON, keys in order, is the same). */
function sameDisplay(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
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

/** Sets a key as data (a key like "__proto__" included). */
function defineField(out: Record<string, JsonValue>, key: string, value: JsonValue): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
}
