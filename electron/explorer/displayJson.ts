/**
 * Aggregate state and event payloads as plain JSON the renderer can show and diff: maps become
 * objects, dates ISO strings, UUIDs strings, instances of registered classes
 * `{ "@type": topic, ...fields }` (an unregistered class: its name), bigints strings and bytes
 * base64. The value kinds are the library's (visitValue); only this format is defined here.
 */
import microdiff from 'microdiff'
import type { DiffEntry, JsonValue } from '../../shared/contract'
import {
  classTopicOf,
  type TopicRegistry,
  topics as defaultTopics,
  type ValueVisitor,
  valueText,
  visitValue,
} from '../eventsourcing'

const MAX_DEPTH = 64

export function toDisplayJson(value: unknown, registry: TopicRegistry = defaultTopics): JsonValue {
  return new DisplayWalk(registry).show(value, 0)
}

/** One conversion: the registry, and the containers being shown (to cut cycles). */
class DisplayWalk {
  private readonly ancestors = new Set<object>()
  private depth = 0

  constructor(private readonly registry: TopicRegistry) {}

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
    array: (value) => this.container(value, () => value.map(this.next)),
    set: (value) => this.container(value, () => [...value].map(this.next)),
    map: (value) =>
      this.container(
        value,
        () =>
          Object.fromEntries(
            [...value].map(([k, v]) => [this.mapKey(k), this.next(v)]),
          ) as JsonValue,
      ),
    object: (value) => this.container(value, () => this.fields(value, undefined)),
    instance: (value) =>
      this.container(value, () =>
        this.fields(
          value,
          classTopicOf(value, this.registry) ??
            (value.constructor as { name?: string } | undefined)?.name ??
            'object',
        ),
      ),
  }

  /** A child of the value being shown, one level deeper. */
  private readonly next = (value: unknown): JsonValue => this.show(value, this.depth + 1)

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
    const out: Record<string, JsonValue> = {}
    if (type !== undefined) out['@type'] = type
    const depth = this.depth + 1
    const keys = Object.keys(value)
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!
      const v = (value as Record<string, unknown>)[k]
      if (v === undefined) continue
      const shown = this.show(v, depth)
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
