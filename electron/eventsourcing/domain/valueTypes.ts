/**
 * The value types the library stores, hashes and shows, recognised in one place: hashing
 * (canonical JSON), the transcoder (stored state) and display JSON each walk values with
 * `visitValue` and keep only their own output format.
 *
 * The kind names of the tagged kinds and their text forms (`valueText`) are stored: they are
 * the transcoder's type tags and, prefixed with `$`, the hash encoding's keys. Never change
 * them (domain/fixtures/hashes.json holds what earlier versions wrote).
 */
import { DataIntegrityError } from '../errors'
import type { TopicRegistry } from './topics'
import { UUID } from './uuid'

/** What a value is, as far as storing, hashing and showing it are concerned. */
export type ValueKind =
  | 'undefined'
  | 'null'
  | 'boolean'
  | 'string'
  | 'number'
  | 'bigint'
  | 'symbol'
  | 'function'
  | 'date'
  | 'uuid'
  | 'bytes'
  | 'array'
  | 'map'
  | 'set'
  /** A plain object (prototype Object.prototype or null): its own fields are the value. */
  | 'object'
  /** An instance of any other class: registered under a topic, an UnregisteredValue, or not. */
  | 'instance'

/** A function value (only ever refused or shown as a placeholder). */
export type FunctionValue = (...args: never[]) => unknown

/** One method per kind; `visitValue` calls the one for the value's kind. */
export interface ValueVisitor<R> {
  undefined(): R
  null(): R
  boolean(value: boolean): R
  string(value: string): R
  number(value: number): R
  bigint(value: bigint): R
  symbol(value: symbol): R
  function(value: FunctionValue): R
  date(value: Date): R
  uuid(value: UUID): R
  bytes(value: Uint8Array): R
  array(value: readonly unknown[]): R
  map(value: ReadonlyMap<unknown, unknown>): R
  set(value: ReadonlySet<unknown>): R
  object(value: Record<string, unknown>): R
  instance(value: object): R
}

/**
 * Calls the visitor's method for the kind of `value`. The visitor walks the children itself
 * (by calling visitValue on them), so each format keeps its own order, sorting and guards.
 */
export function visitValue<R>(value: unknown, visitor: ValueVisitor<R>): R {
  switch (typeof value) {
    case 'string':
      return visitor.string(value)
    case 'number':
      return visitor.number(value)
    case 'boolean':
      return visitor.boolean(value)
    case 'undefined':
      return visitor.undefined()
    case 'bigint':
      return visitor.bigint(value)
    case 'symbol':
      return visitor.symbol(value)
    case 'function':
      return visitor.function(value as FunctionValue)
    default:
      break
  }
  if (value === null) return visitor.null()
  // (These classes are disjoint: the order only matters for contrived prototype chains.)
  if (Array.isArray(value)) return visitor.array(value)
  if (value instanceof Date) return visitor.date(value)
  if (value instanceof UUID) return visitor.uuid(value)
  if (value instanceof Uint8Array) return visitor.bytes(value)
  if (value instanceof Map) return visitor.map(value)
  if (value instanceof Set) return visitor.set(value)
  const proto = Object.getPrototypeOf(value) as object | null
  return proto === Object.prototype || proto === null
    ? visitor.object(value as Record<string, unknown>)
    : visitor.instance(value as object)
}

const kindVisitor: ValueVisitor<ValueKind> = {
  undefined: () => 'undefined',
  null: () => 'null',
  boolean: () => 'boolean',
  string: () => 'string',
  number: () => 'number',
  bigint: () => 'bigint',
  symbol: () => 'symbol',
  function: () => 'function',
  date: () => 'date',
  uuid: () => 'uuid',
  bytes: () => 'bytes',
  array: () => 'array',
  map: () => 'map',
  set: () => 'set',
  object: () => 'object',
  instance: () => 'instance',
}

export function valueKind(value: unknown): ValueKind {
  return visitValue(value, kindVisitor)
}

/**
 * Text forms of the scalar kinds that JSON cannot hold, shared by every format. `number` is
 * for non-finite numbers only. `date` throws RangeError for an invalid date.
 */
export const valueText = {
  date: (value: Date): string => value.toISOString(),
  uuid: (value: UUID): string => value.hex,
  bigint: (value: bigint): string => value.toString(),
  // A view of its bytes, not a copy: a subarray encodes only its own range either way.
  bytes: (value: Uint8Array): string =>
    Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
  number: (value: number): string => String(value),
} as const

/** The inverse of `valueText`. */
export const valueFromText = {
  date: (text: string): Date => dateFromText(text),
  uuid: (text: string): UUID => new UUID(text),
  bigint: (text: string): bigint => BigInt(text),
  bytes: (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64')),
  number: (text: string): number => Number(text),
} as const

/**
 * `new Date(text)`, with the form toISOString writes (`YYYY-MM-DDTHH:MM:SS.sssZ`, years
 * 1000–9999) read by hand: every stored event has a timestamp, and the engine's general date
 * parser cost about a twentieth of a replay. Any other text, or a date that does not exist
 * (31 April, hour 24), goes to `new Date`, so the result is always the same. Consecutive
 * events mostly fall in the same minute: the last minute read is kept, and a text within it
 * costs its seconds only (Date.UTC and the reading of its date cost about as much again).
 */
export function dateFromText(text: string): Date {
  if (
    text.length === 24 &&
    text.charCodeAt(19) === 46 && // .
    text.charCodeAt(23) === 90 && // Z
    text.startsWith(lastMinute.text)
  ) {
    const second = digits(text, 17, 2)
    const ms = digits(text, 20, 3)
    if ((second | ms) >= 0 && second <= 59) return new Date(lastMinute.ms + second * 1000 + ms)
  }
  if (
    text.length === 24 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(19) === 46 && // .
    text.charCodeAt(23) === 90 // Z
  ) {
    const year = digits(text, 0, 4)
    const month = digits(text, 5, 2)
    const day = digits(text, 8, 2)
    const hour = digits(text, 11, 2)
    const minute = digits(text, 14, 2)
    const second = digits(text, 17, 2)
    const ms = digits(text, 20, 3)
    if (
      year >= 1000 &&
      month >= 1 &&
      month <= 12 &&
      day >= 1 &&
      day <= daysInMonth(year, month) &&
      (hour | minute | second | ms) >= 0 &&
      hour <= 23 &&
      minute <= 59 &&
      second <= 59
    ) {
      const minuteMs = Date.UTC(year, month - 1, day, hour, minute)
      lastMinute.text = text.slice(0, 17)
      lastMinute.ms = minuteMs
      return new Date(minuteMs + second * 1000 + ms)
    }
  }
  const date = new Date(text)
  // Nothing stores an invalid date (toISOString refuses to write one): this text was damaged.
  if (Number.isNaN(date.getTime()))
    throw new DataIntegrityError(
      `a stored date is not a date: ${JSON.stringify(text.slice(0, 40))}`,
    )
  return date
}

/**
 * `YYYY-MM-DDTHH:MM:` of the last text read by hand (a valid minute) and its start in ms
 * since the epoch; the text starts as one no date text can start with.
 */
const lastMinute = { text: 'no minute read yet', ms: 0 }

/** The decimal number of `length` digits at `at`; −1 when one is not a digit. */
function digits(text: string, at: number, length: number): number {
  let value = 0
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    value = value * 10 + d
  }
  return value
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** The kinds with a text form (the tagged kinds of the stored formats). */
export type TextKind = keyof typeof valueText

const UNREGISTERED_TOPIC = Symbol('UnregisteredValue.topic')

/**
 * An instance of a class no loaded module registers, read from stored state: its fields as
 * plain data, and the topic it was stored under (kept off its fields, so that it hashes and
 * shows like the instance it was read from, and is written back under the same topic).
 */
export class UnregisteredValue {
  declare readonly [UNREGISTERED_TOPIC]: string
  /** The fields, as stored. */
  readonly [field: string]: unknown

  /** A value of class `topic` with these fields (own data properties, in their order). */
  static of(topic: string, fields: Readonly<Record<string, unknown>>): UnregisteredValue {
    const value = new UnregisteredValue()
    Object.defineProperty(value, UNREGISTERED_TOPIC, { value: topic, enumerable: false })
    assignFields(value, fields)
    return value
  }

  /** The topic the value was stored under. */
  static topicOf(value: UnregisteredValue): string {
    return value[UNREGISTERED_TOPIC]
  }
}

/**
 * Sets `fields` as own enumerable data properties of `target`, in their order. Unlike
 * Object.assign, a field named `__proto__` stays a field and no setter of the prototype runs.
 */
export function assignFields(target: object, fields: Readonly<Record<string, unknown>>): void {
  for (const key of Object.keys(fields)) {
    Object.defineProperty(target, key, {
      value: fields[key],
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
}

/** The topic of an instance's class: the registered one, or an UnregisteredValue's own. */
export function classTopicOf(value: object, registry: TopicRegistry): string | undefined {
  return value instanceof UnregisteredValue
    ? UnregisteredValue.topicOf(value)
    : registry.topicOfInstance(value)
}
