/**
 * Aggregate state and event payloads as plain JSON the renderer can show and diff: maps become
 * objects, dates ISO strings, UUIDs strings, instances of registered classes
 * `{ "@type": topic, ...fields }`, bigints strings and bytes base64.
 */
import microdiff from 'microdiff'
import type { DiffEntry, JsonValue } from '../../shared/contract'
import { type TopicRegistry, topics as defaultTopics, UUID } from '../eventsourcing'

const MAX_DEPTH = 64

export function toDisplayJson(value: unknown, registry: TopicRegistry = defaultTopics): JsonValue {
  return convert(value, registry, new Set(), 0)
}

function convert(
  value: unknown,
  registry: TopicRegistry,
  ancestors: Set<object>,
  depth: number,
): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // JSON has no NaN or Infinity; show them as text rather than as null.
      return Number.isFinite(value) ? value : String(value)
    case 'bigint':
      return value.toString()
    case 'undefined':
      return null
    case 'symbol':
    case 'function':
      return `[${typeof value}]`
    default:
      break
  }
  if (value === null) return null
  const object = value as object
  if (object instanceof Date)
    return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString()
  if (object instanceof UUID) return object.hex
  if (object instanceof Uint8Array)
    return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('base64')
  if (ancestors.has(object)) return '[Circular]'
  if (depth >= MAX_DEPTH) return '[…]'
  ancestors.add(object)
  try {
    const next = (v: unknown): JsonValue => convert(v, registry, ancestors, depth + 1)
    if (Array.isArray(object)) return object.map(next)
    if (object instanceof Set) return [...object].map(next)
    if (object instanceof Map) {
      return Object.fromEntries(
        [...object].map(([k, v]) => [mapKey(k, registry), next(v)]),
      ) as JsonValue
    }
    const entries: Array<[string, JsonValue]> = []
    const proto = Object.getPrototypeOf(object) as object | null
    if (proto !== Object.prototype && proto !== null) {
      const topic = registry.topicOfInstance(object)
      entries.push([
        '@type',
        topic ?? (object.constructor as { name?: string } | undefined)?.name ?? 'object',
      ])
    }
    for (const [k, v] of Object.entries(object)) {
      if (v !== undefined) entries.push([k, next(v)])
    }
    // fromEntries defines own properties, so a key like "__proto__" stays plain data.
    return Object.fromEntries(entries) as JsonValue
  } finally {
    ancestors.delete(object)
  }
}

function mapKey(key: unknown, registry: TopicRegistry): string {
  if (typeof key === 'string') return key
  const shown = toDisplayJson(key, registry)
  return typeof shown === 'string' ? shown : JSON.stringify(shown)
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
