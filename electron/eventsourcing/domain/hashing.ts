import { hash } from 'node:crypto'
import {
  type FunctionValue,
  type TextKind,
  type ValueVisitor,
  valueText,
  visitValue,
} from './valueTypes'

/**
 * A deterministic text form of a value (object keys sorted, dates as ISO strings, maps and
 * sets as sorted entries) so that an event hashes the same before storing and after loading.
 *
 * Stored hashes were computed over this text: it must never change. `referenceCanonicalJson`
 * is its definition; this is the same text written directly, without building the sorted copy
 * first (replay hashes every event), and handing anything unusual to the definition.
 */
export function canonicalJson(value: unknown): string {
  return writeValue(value)
}

/**
 * Canonical text of the object `{ topic, ...fields }`, where `fields` are the own enumerable
 * fields of `event` but `hash` (what an event's hash is computed over), without making that
 * object.
 */
export function canonicalEventJson(topic: string, event: object): string {
  const record = event as Record<string, unknown>
  const plan = planFor(eventPlans, Object.getPrototypeOf(event), Object.keys(record), true)
  if (plan === undefined) return referenceEventJson(topic, event)
  return writeFields(record, plan, topic)
}

/**
 * How to write the fields of objects with one list of own keys: sorted, each with its JSON
 * key text. Events of one class almost always have the same keys in the same order, so replay
 * sorts and escapes them once per class instead of once per event.
 */
interface Plan {
  /** Object.keys as found (what the plan is looked up by). */
  readonly keys: readonly string[]
  /** The keys to write, sorted: for an event, without `hash` and with `topic`. */
  readonly sorted: readonly string[]
  /** `"key":` for each sorted key. */
  readonly prefixes: readonly string[]
  /** Index of the class topic in `sorted` (an event without its own `topic` field), else -1. */
  readonly topicAt: number
}

const PLANS_PER_CLASS = 8
const eventPlans = new WeakMap<object, Plan[]>()
const objectPlans = new WeakMap<object, Plan[]>()
const NULL_PROTOTYPE = {}

/** The plan for these keys; undefined when only the definition can write them. */
function planFor(
  cache: WeakMap<object, Plan[]>,
  prototype: object | null,
  keys: string[],
  event: boolean,
): Plan | undefined {
  // Plans are kept per prototype (class) only to keep each list short.
  const slot = prototype ?? NULL_PROTOTYPE
  let plans = cache.get(slot)
  if (plans === undefined) {
    plans = []
    cache.set(slot, plans)
  }
  search: for (let p = 0; p < plans.length; p++) {
    const plan = plans[p]!
    if (plan.keys.length !== keys.length) continue
    for (let i = 0; i < keys.length; i++) if (plan.keys[i] !== keys[i]) continue search
    return plan
  }
  let hasTopic = false
  const sorted: string[] = []
  for (const key of keys) {
    // (An own toJSON that is not a function is written like any other field, except on an
    // event, where the definition's copy would call it if it were one: send those there.)
    if (isUnusualKey(key) && (event || key !== 'toJSON')) return undefined
    if (event && key === 'hash') continue
    if (event && key === 'topic') hasTopic = true
    sorted.push(key)
  }
  // The definition spreads the fields over { topic }: an own `topic` field wins.
  if (event && !hasTopic) sorted.push('topic')
  sorted.sort()
  const plan: Plan = {
    keys,
    sorted,
    prefixes: sorted.map((key) => `${JSON.stringify(key)}:`),
    topicAt: event && !hasTopic ? sorted.indexOf('topic') : -1,
  }
  if (plans.length >= PLANS_PER_CLASS) plans.shift()
  plans.push(plan)
  return plan
}

/** `{"key":value,...}` in the plan's order, leaving out undefined fields (as the definition does). */
function writeFields(record: Record<string, unknown>, plan: Plan, topic?: string): string {
  const { sorted, prefixes, topicAt } = plan
  let text = '{'
  let first = true
  for (let i = 0; i < sorted.length; i++) {
    const value = i === topicAt ? topic : record[sorted[i]!]
    if (value === undefined) continue
    text += first ? prefixes[i]! : `,${prefixes[i]!}`
    first = false
    text += writeValue(value)
  }
  return `${text}}`
}

/** The definition of `canonicalJson`: JSON of a sorted copy. Slow; the writer must equal it. */
export function referenceCanonicalJson(value: unknown): string {
  return JSON.stringify(canonicalForm(value))
}

/** The definition of `canonicalEventJson`. */
export function referenceEventJson(topic: string, event: object): string {
  const { hash: _ignored, ...fields } = event as Record<string, unknown>
  return referenceCanonicalJson({ topic, ...fields })
}

/**
 * Keys for which the sorted plain copy is not serialised in sorted order or not at all: integer
 * keys (JSON.stringify puts them first, in numeric order), `__proto__` (assigning it sets the
 * prototype) and `toJSON` (called by canonicalForm on the event's copy). Any key starting with
 * a digit is sent to the definition, which is always right.
 */
function isUnusualKey(key: string): boolean {
  const c = key.charCodeAt(0)
  return (c >= 48 && c <= 57) || key === '__proto__' || key === 'toJSON'
}

/** JSON.stringify(canonicalForm(value)), written directly: JSON text composes, so any subtree may go to the definition. */
function writeValue(value: unknown): string {
  return visitValue(value, writer)
}

const writer: ValueVisitor<string> = {
  undefined: () => 'null',
  null: () => 'null',
  boolean: (value) => (value ? 'true' : 'false'),
  string: (value) => quote(value),
  // String(n) is what JSON.stringify writes for a finite number (-0 included).
  number: (value) => (Number.isFinite(value) ? String(value) : `"${valueText.number(value)}"`),
  // (Decimal digits, ISO dates and base64 need no escaping.)
  bigint: (value) => taggedText('bigint', valueText.bigint(value)),
  symbol: refuse,
  function: refuse,
  date: (value) => taggedText('date', valueText.date(value)),
  // What its toJSON returns: the definition calls that.
  uuid: (value) => quote(valueText.uuid(value)),
  bytes: (value) => taggedText('bytes', valueText.bytes(value)),
  array: (value) => {
    let text = '['
    for (let i = 0; i < value.length; i++) text += (i === 0 ? '' : ',') + writeValue(value[i])
    return text + ']'
  },
  // Sorted by the JSON text of their canonical forms: only the definition does that.
  map: (value) => referenceCanonicalJson(value),
  set: (value) => referenceCanonicalJson(value),
  object: writeObject,
  instance: writeObject,
}

/** JSON.stringify(tagged(kind, text)) for a text that needs no escaping. */
function taggedText(kind: TextKind, text: string): string {
  return `{"$${kind}":"${text}"}`
}

/** A plain object or class instance: its toJSON if it has one, else its fields, sorted. */
function writeObject(value: object): string {
  const withJson = value as { toJSON?: () => unknown }
  if (typeof withJson.toJSON === 'function') return writeValue(withJson.toJSON())
  const record = value as Record<string, unknown>
  const plan = planFor(objectPlans, Object.getPrototypeOf(record), Object.keys(record), false)
  return plan === undefined ? referenceCanonicalJson(value) : writeFields(record, plan)
}

function refuse(value: symbol | FunctionValue): never {
  throw new TypeError(`cannot hash a value of type ${typeof value}`)
}

/** Characters JSON.stringify escapes in a string (surrogates: only lone ones, but rare). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/

/** JSON.stringify(text): a string with nothing to escape is only quoted (about twice as fast). */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`
}

function canonicalForm(value: unknown): unknown {
  return visitValue(value, canonical)
}

/** `{ $kind: text }`: how the hash encoding writes a value JSON cannot hold. */
function tagged(kind: TextKind, text: string): Record<string, string> {
  return { [`$${kind}`]: text }
}

const canonical: ValueVisitor<unknown> = {
  undefined: () => null,
  null: () => null,
  boolean: (value) => value,
  string: (value) => value,
  number: (value) => (Number.isFinite(value) ? value : valueText.number(value)),
  bigint: (value) => tagged('bigint', valueText.bigint(value)),
  symbol: refuse,
  function: refuse,
  date: (value) => tagged('date', valueText.date(value)),
  // A UUID is its toJSON: the hex string.
  uuid: (value) => valueText.uuid(value),
  bytes: (value) => tagged('bytes', valueText.bytes(value)),
  array: (value) => value.map(canonicalForm),
  map: (value) => ({
    $map: [...value.entries()]
      .map(([k, v]) => [canonicalForm(k), canonicalForm(v)] as const)
      .sort((a, b) => compareText(JSON.stringify(a[0]), JSON.stringify(b[0]))),
  }),
  set: (value) => ({
    $set: [...value]
      .map(canonicalForm)
      .sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b))),
  }),
  object: fieldsForm,
  instance: fieldsForm,
}

/** A plain object or class instance: its toJSON if it has one, else a sorted copy of its fields. */
function fieldsForm(value: object): unknown {
  const withJson = value as { toJSON?: () => unknown }
  if (typeof withJson.toJSON === 'function') return canonicalForm(withJson.toJSON())
  const record = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  // An undefined field is left out, as the transcoder leaves it out of the stored JSON: the
  // event must hash the same before storing and after loading.
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) out[key] = canonicalForm(record[key])
  }
  return out
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function sha256Hex(text: string | Uint8Array): string {
  // crypto.hash (Node ≥ 20.12; Electron 39 has 22) is a one-shot digest without a Hash object:
  // about twice as fast as createHash for event-sized texts. Same UTF-8 bytes, same digest
  // (bytes are hashed as they are: a format 2 record's stored canonical text).
  return hash('sha256', text, 'hex')
}
