/**
 * The display encoding: how aggregate states and event payloads reach the renderer as JSON
 * without losing their values' types. One place defines it; the server writes it
 * (electron/explorer/displayJson.ts), the pager, the diff and the renderer read it through the
 * functions here.
 *
 * - Strings, booleans, null, finite numbers and arrays are themselves.
 * - A plain object is an object whose keys are its own, except that a key beginning with "@"
 *   gets one more "@" ("@type" is sent as "@@type"). So no plain object has the key "@".
 * - Every other kind is an object with the key "@" naming the kind (a typed value):
 *   `{"@":"date","v":iso}` (v null: an invalid date), `{"@":"bigint","v":digits}`,
 *   `{"@":"number","v":"NaN"|"Infinity"|"-Infinity"}`, `{"@":"uuid","v":hex}`,
 *   `{"@":"bytes","v":base64}`, `{"@":"symbol","v":text}`, `{"@":"function","v":name}`,
 *   `{"@":"cycle"}` (a container inside itself), `{"@":"tooDeep"}` (nested past the limit);
 *   containers `{"@":"instance","type":topic,"fields":{…}}` (fields as a plain object's),
 *   `{"@":"set","items":[…]}` and `{"@":"map","entries":{…}}`.
 * - A map's entries are keyed by their keys' display keys: a string key as a plain object's
 *   key, any other key "@" followed by the JSON of its display (42 is "@42", so 42 and "42"
 *   stay two entries); keys shown alike (two objects {a:1}) get "\u0000" and a count after.
 *
 * A state path names a child by its display key (a map's, a field's) or index (an array's, a
 * set's), whatever object holds the children on the wire. A diff names a set's member added or
 * removed by SET_MEMBER after the set's path: a member has no position that survives a change.
 */
import type { JsonValue } from './jsonValue'

/** Kinds of typed values that have no children. */
export const TYPED_LEAVES = [
  'date',
  'bigint',
  'number',
  'uuid',
  'bytes',
  'symbol',
  'function',
  'cycle',
  'tooDeep',
] as const
export type TypedLeafKind = (typeof TYPED_LEAVES)[number]

export type TypedLeaf = { '@': TypedLeafKind; v?: string | null }
export type DisplayRecord = { [key: string]: JsonValue }
export type TypedInstance = { '@': 'instance'; type: string; fields: DisplayRecord }
export type TypedSet = { '@': 'set'; items: JsonValue[] }
export type TypedMap = { '@': 'map'; entries: DisplayRecord }
export type TypedValue = TypedLeaf | TypedInstance | TypedSet | TypedMap

export type DisplayKind =
  'string' | 'boolean' | 'null' | 'number' | 'array' | 'object' | TypedValue['@']

/** The key that marks a typed value; a plain object never has it (its "@" keys are escaped). */
export const TYPE_KEY = '@'

/**
 * The last segment of a diff path for a set's member added or removed (the entry's value is the
 * member). No display key is this: a field's "@" gets another "@", a map's other keys are "@"
 * and JSON, which never begins with "m".
 */
export const SET_MEMBER = '@member'

const TYPED_LEAF_SET: ReadonlySet<string> = new Set(TYPED_LEAVES)

/** A plain object's (or an instance's) key as sent: one more "@" before a leading "@". */
export function fieldKey(name: string): string {
  return name.charCodeAt(0) === 64 ? `@${name}` : name
}

/** A plain object's (or an instance's) field name, from its key as sent (fieldKey's inverse). */
export function fieldName(key: string): string {
  return key.charCodeAt(0) === 64 ? key.slice(1) : key
}

/** What a display key names, as the renderer shows it. */
export type DisplayKeyName =
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'other'; readonly key: JsonValue; readonly repeat: number }

/**
 * The key a display key stands for: a string (a field's name, a map's string key) or a map's
 * key of another kind (its display, and which of the keys shown alike it is, from 1).
 */
export function keyName(key: string): DisplayKeyName {
  if (key.charCodeAt(0) !== 64) return { kind: 'string', text: key }
  if (key.charCodeAt(1) === 64) return { kind: 'string', text: key.slice(1) }
  const split = key.indexOf('\u0000')
  const json = split < 0 ? key.slice(1) : key.slice(1, split)
  try {
    return {
      kind: 'other',
      key: JSON.parse(json) as JsonValue,
      repeat: split < 0 ? 1 : Number(key.slice(split + 1)),
    }
  } catch {
    // Not the server's: shown as the text it is.
    return { kind: 'string', text: key }
  }
}

/** Whether `v` is a typed value (an object with the "@" key). */
export function isTyped(v: JsonValue | undefined): v is TypedValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.prototype.hasOwnProperty.call(v, TYPE_KEY)
  )
}

export function displayKind(v: JsonValue): DisplayKind {
  switch (typeof v) {
    case 'string':
      return 'string'
    case 'boolean':
      return 'boolean'
    case 'number':
      return 'number'
    default:
      if (v === null) return 'null'
      if (Array.isArray(v)) return 'array'
      return isTyped(v) ? v['@'] : 'object'
  }
}

/** A container's children as the wire holds them: an array (by index) or a record (by key). */
export type Children = JsonValue[] | DisplayRecord

/** The children of a container (array, object, instance, set, map); undefined for a leaf. */
export function childrenOf(v: JsonValue | undefined): Children | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  if (Array.isArray(v)) return v
  if (!Object.prototype.hasOwnProperty.call(v, TYPE_KEY)) return v
  switch ((v as TypedValue)['@']) {
    case 'instance':
      return (v as TypedInstance).fields
    case 'set':
      return (v as TypedSet).items
    case 'map':
      return (v as TypedMap).entries
    default:
      return undefined
  }
}

/** `container` (a value childrenOf answers for) holding `children` instead of its own. */
export function withChildren(container: JsonValue, children: Children): JsonValue {
  if (!isTyped(container)) return children
  switch (container['@']) {
    case 'instance':
      return { '@': 'instance', type: container.type, fields: children as DisplayRecord }
    case 'set':
      return { '@': 'set', items: children as JsonValue[] }
    case 'map':
      return { '@': 'map', entries: children as DisplayRecord }
    default:
      return container
  }
}

/** Whether `v` is a typed value as the encoding defines it (what the contract accepts). */
export function isWellTyped(v: DisplayRecord): boolean {
  const kind = v[TYPE_KEY]
  if (typeof kind !== 'string') return false
  const has = (key: string) => Object.prototype.hasOwnProperty.call(v, key)
  const keys = Object.keys(v).length
  if (TYPED_LEAF_SET.has(kind)) {
    const text = v['v']
    if (!has('v')) return keys === 1
    return keys === 2 && (typeof text === 'string' || (text === null && kind === 'date'))
  }
  const record = (x: JsonValue | undefined) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) && !isTyped(x)
  switch (kind) {
    case 'instance':
      return keys === 3 && typeof v['type'] === 'string' && record(v['fields'])
    case 'set':
      return keys === 2 && Array.isArray(v['items'])
    case 'map':
      return keys === 2 && record(v['entries'])
    default:
      return false
  }
}
