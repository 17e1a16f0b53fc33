/** Which events format 2 can store: those whose canonical JSON reads back as the same fields. */
import { type FunctionValue, type ValueVisitor, visitValue } from '../domain/valueTypes'

/** The header fields every event has (their order in a decoded event is not the writer's). */
const HEADER_KEYS = new Set(['originatorId', 'originatorVersion', 'timestamp', 'previousHash'])

/**
 * Whether the canonical JSON of these fields parses back to equal fields in the same order:
 * JSON values, valid dates, bigints and bytes (tagged `$kind` as the hash encoding writes them),
 * arrays, and plain objects whose keys are already sorted (the canonical JSON sorts them) and
 * cannot be mistaken for a tag. The payload fields (not the header) must be sorted too.
 */
export function eventFieldsRoundTrip(record: Record<string, unknown>): boolean {
  let previous = ''
  for (const key in record) {
    if (key === 'hash' || key === 'topic' || !plainKey(key)) {
      if (key === 'hash') continue
      return false
    }
    if (!HEADER_KEYS.has(key)) {
      if (key < previous) return false
      previous = key
    }
    if (!visitValue(record[key], roundTrips)) return false
  }
  return true
}

/** Keys the canonical writer and JSON.parse both keep as ordinary, non-tag keys. */
function plainKey(key: string): boolean {
  const c = key.charCodeAt(0)
  return !(c >= 48 && c <= 57) && c !== 36 && key !== '__proto__' && key !== 'toJSON'
}

const no = (): boolean => false
const yes = (): boolean => true

const roundTrips: ValueVisitor<boolean> = {
  // (An undefined field is left out by both formats; in an array both write null.)
  undefined: yes,
  null: yes,
  boolean: yes,
  string: yes,
  number: (value) => Number.isFinite(value),
  bigint: yes,
  symbol: no,
  function: no as (value: FunctionValue) => boolean,
  date: (value) => !Number.isNaN(value.getTime()),
  // A UUID's canonical form is its hex text: it would come back as a string.
  uuid: no,
  bytes: yes,
  array: (value) => {
    for (let i = 0; i < value.length; i++) if (!visitValue(value[i], roundTrips)) return false
    return true
  },
  map: no,
  set: no,
  object: (value) => {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
    let previous = ''
    for (const key in value) {
      if (!Object.hasOwn(value, key)) return false
      if (!plainKey(key) || key < previous) return false
      previous = key
      if (!visitValue(value[key], roundTrips)) return false
    }
    return true
  },
  instance: no,
}

/** Where a value sits in an event's fields: the field's name, then object keys and array indices. */
export type FieldPath = (string | number)[]

/**
 * Where the UUIDs among these fields are, when they are all that keeps eventFieldsRoundTrip
 * from holding (ids of child entities and references are the common case): a UUID's canonical
 * form is its hex text, which reads back as a string, and format 2 types it back at each path
 * its record lists (canonicalRetypes.ts). Undefined when any other value would not read back.
 */
export function uuidPathsOf(record: Record<string, unknown>): FieldPath[] | undefined {
  // (One visitor for all calls, over module state: visitValue is synchronous, and a visitor
  // made per event was a fifth of the cost.)
  found = []
  path.length = 0
  let previous = ''
  for (const key in record) {
    if (key === 'hash') continue
    if (key === 'topic' || !plainKey(key)) return undefined
    if (!HEADER_KEYS.has(key)) {
      if (key < previous) return undefined
      previous = key
    }
    if (!visitAt(key, record[key])) return undefined
  }
  return found
}

let found: FieldPath[] = []
const path: FieldPath = []

function visitAt(step: string | number, value: unknown): boolean {
  path.push(step)
  const kept = visitValue(value, uuidPaths)
  path.pop()
  return kept
}

const uuidPaths: ValueVisitor<boolean> = {
  ...roundTrips,
  uuid: () => {
    found.push(path.slice())
    return true
  },
  array: (value) => {
    for (let i = 0; i < value.length; i++) if (!visitAt(i, value[i])) return false
    return true
  },
  object: (value) => {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
    let previous = ''
    for (const key in value) {
      if (!Object.hasOwn(value, key) || !plainKey(key) || key < previous) return false
      previous = key
      if (!visitAt(key, value[key])) return false
    }
    return true
  },
}
