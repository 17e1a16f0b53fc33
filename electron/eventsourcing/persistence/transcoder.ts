import { DataIntegrityError, EventSourcingError } from '../errors'
import { topics, type TopicRegistry } from '../domain/topics'
import {
  classTopicOf,
  type FunctionValue,
  type TextKind,
  UnregisteredValue,
  type ValueVisitor,
  valueFromText,
  valueText,
  visitValue,
} from '../domain/valueTypes'
import { UUID } from '../domain/uuid'
import {
  columnOf,
  columnShape,
  MIN_COLUMN_ROWS,
  reviveColumnMap,
  reviveRows,
  reviveTexts,
  type RowMaker,
  sparseColumnOf,
} from './transcoderColumns'

const TAG = '_t_'
const VALUE = '_v_'
const CLASS = '_c_'
/** A column-stored map's keys, a rows list's field names (transcoderColumns.ts). */
const KEYS = '_k_'
/** A sparse rows list's absent fields (transcoderColumns.ts). */
const ABSENT = '_a_'
const TAG_KEY_TEXT = `"${TAG}"`

/**
 * What decoding does with a topic no class is registered under: `keep` it (an event becomes an
 * UnregisteredEvent, a value an UnregisteredValue, both holding their stored fields as plain
 * data) or `fail` (TopicNotFound, or DataIntegrityError naming the record for an event topic).
 */
export type UnregisteredTopics = 'keep' | 'fail'

export interface EncodeOptions {
  /** Lists of like values stored by column (transcoderColumns.ts). Default false. */
  readonly columns?: boolean
}

export interface TranscoderOptions {
  /** Default `keep`. */
  readonly unregisteredTopics?: UnregisteredTopics
}

/**
 * JSON with tagged types: dates, UUIDs, maps, sets, bigints, bytes and instances of registered
 * classes (child entities, value objects) survive a round trip with their types. A plain object
 * that happens to use the tag key is escaped, so no stored value is ever misread as a tag.
 * The type tags are the value kinds of domain/valueTypes.ts ('obj' and 'dict' are this format's).
 */
export class JsonTranscoder {
  private readonly keepUnregistered: boolean

  constructor(
    private readonly registry: TopicRegistry = topics,
    options: TranscoderOptions = {},
  ) {
    this.keepUnregistered = (options.unregisteredTopics ?? 'keep') === 'keep'
  }

  /**
   * The stored JSON of `value`. With `columns`, lists of like values are stored by column
   * (transcoderColumns.ts: faster to decode, for large states such as snapshots); decode reads
   * both. Without, the text is the one every earlier version wrote (events' hashes and the
   * format fixtures depend on it).
   */
  encode(value: unknown, options: EncodeOptions = {}): string {
    return JSON.stringify(visitValue(value, options.columns ? this.columnEncoder : this.encoder))
  }

  decode(text: string): unknown {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw new DataIntegrityError(
        `stored state is not valid JSON: ${(error as Error).message}`,
        {},
        { cause: error },
      )
    }
    // Tags can only be present if the tag key occurs in the text: skip the walk otherwise.
    const first = text.indexOf(TAG_KEY_TEXT)
    if (first === -1) return parsed
    // An event's one tagged value is most often its timestamp: revive it without a walk. (Every
    // tagged value holds the tag key: with one occurrence, a tagged timestamp is the only one.)
    if (text.indexOf(TAG_KEY_TEXT, first + TAG_KEY_TEXT.length) === -1) {
      const timestamp = (parsed as { timestamp?: unknown } | null)?.timestamp as
        Record<string, unknown> | undefined
      if (
        typeof timestamp === 'object' &&
        timestamp !== null &&
        timestamp[TAG] === 'date' &&
        typeof timestamp[VALUE] === 'string'
      ) {
        ;(parsed as { timestamp: Date }).timestamp = valueFromText.date(timestamp[VALUE])
        return parsed
      }
    }
    try {
      return this.reviveTree(parsed, { topic: undefined, proto: UNREGISTERED })
    } catch (error) {
      // DataIntegrityError (unknown tag) and TopicNotFound (unregistered class) say it already;
      // anything else (a tagged UUID that is not one) is damaged data, not a programming error.
      if (error instanceof EventSourcingError) throw error
      throw new DataIntegrityError(
        `stored state cannot be decoded: ${(error as Error).message}`,
        {},
        { cause: error },
      )
    }
  }

  /**
   * What `decode(encode(value))` returns, built without the text: fresh objects throughout
   * (strings and other primitives are shared, being immutable), the same types, prototypes and
   * field order, and the same losses (undefined fields dropped, undefined in arrays, maps and
   * sets made null, -0 made 0). A checkpoint kept this way restores several times faster than
   * from its text (no JSON to parse, no tagged tree to revive). `weight` adds an estimate of
   * the bytes the copy holds (its strings counted in full, though shared).
   */
  copy(value: unknown, weight?: { bytes: number }): unknown {
    const copier = new Copier(this.registry, this.keepUnregistered)
    const out = copier.value(value)
    if (weight) weight.bytes += copier.bytes
    return out
  }

  /** Decodes tagged values bottom-up, visiting objects and arrays only (faster than a reviver). */
  private reviveTree(value: unknown, last: LastClass): unknown {
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.reviveTree(value[i], last)
      return value
    }
    const record = value as Record<string, unknown>
    for (const key in record) {
      const child = record[key]
      if (child !== null && typeof child === 'object') record[key] = this.reviveTree(child, last)
    }
    return this.revive(record, last)
  }

  /** What each kind is stored as (JSON.stringify drops an undefined field). */
  private readonly encoder = this.makeEncoder(false)
  private readonly columnEncoder = this.makeEncoder(true)

  private makeEncoder(columns: boolean): ValueVisitor<unknown> {
    const toJson = (value: unknown): unknown => visitValue(value, encoder)
    const list = (values: readonly unknown[]): unknown =>
      columns ? this.columnList(values, list, toJson) : values.map(toJson)
    const fieldsToJson = (record: Record<string, unknown>): unknown => {
      if (TAG in record) {
        const entries = Object.entries(record).filter(([, v]) => v !== undefined)
        return { [TAG]: 'dict', [VALUE]: entries.map(([k, v]) => [k, toJson(v)]) }
      }
      const out: Record<string, unknown> = {}
      for (const key in record) {
        const v = record[key]
        if (v !== undefined) out[key] = toJson(v)
      }
      return out
    }
    const encoder: ValueVisitor<unknown> = {
      undefined: () => undefined,
      null: () => null,
      boolean: (value) => value,
      string: (value) => value,
      number: (value) =>
        Number.isFinite(value) ? value : tagged('number', valueText.number(value)),
      bigint: (value) => tagged('bigint', valueText.bigint(value)),
      symbol: refuse,
      function: refuse,
      date: (value) => tagged('date', valueText.date(value)),
      uuid: (value) => tagged('uuid', valueText.uuid(value)),
      bytes: (value) => tagged('bytes', valueText.bytes(value)),
      array: (value) => list(value),
      map: (value) =>
        columns && value.size >= MIN_COLUMN_ROWS
          ? { [TAG]: 'map', [KEYS]: list([...value.keys()]), [VALUE]: list([...value.values()]) }
          : { [TAG]: 'map', [VALUE]: [...value].map(([k, v]) => [toJson(k), toJson(v)]) },
      set: (value) => ({ [TAG]: 'set', [VALUE]: list([...value]) }),
      object: (value) => fieldsToJson(value),
      instance: (value) => {
        const topic = storedTopicOf(value, this.registry)
        // The fields go through the plain-object path so that a field named like the tag key
        // is escaped too (otherwise the fields would be misread as a tagged value on the way
        // back).
        const fields: Record<string, unknown> = {}
        for (const [k, v] of Object.entries(value)) fields[k] = v
        return { [TAG]: 'obj', [CLASS]: topic, [VALUE]: fieldsToJson(fields) }
      },
    }
    return encoder
  }

  /** A list stored by column when its elements are alike (columnShape), else one by one. */
  private columnList(
    values: readonly unknown[],
    list: (values: readonly unknown[]) => unknown,
    toJson: (value: unknown) => unknown,
  ): unknown {
    const shape = columnShape(values)
    if (shape === undefined) return values.map(toJson)
    if (shape.kind === 'texts') {
      const text = valueText[shape.textKind] as (value: unknown) => string
      return { [TAG]: 'texts', [CLASS]: shape.textKind, [VALUE]: values.map(text) }
    }
    const stored: Record<string, unknown> = { [TAG]: 'rows' }
    if (shape.instanceOf !== undefined)
      stored[CLASS] = storedTopicOf(values[0] as object, this.registry)
    stored[KEYS] = shape.keys
    if (!shape.sparse) {
      stored[VALUE] = shape.keys.map((key) => list(columnOf(values, key)))
      return stored
    }
    const columns = shape.keys.map((key) => sparseColumnOf(values, key))
    stored[VALUE] = columns.map((column) => list(column.values))
    stored[ABSENT] = columns.map((column) => column.absent)
    return stored
  }

  /** How the objects of a stored `rows` list are made: plain, or of the class of `topic`. */
  private rowMaker(topic: unknown, last: LastClass): RowMaker {
    if (topic === undefined) return { create: () => ({}) }
    if (typeof topic !== 'string')
      throw new DataIntegrityError(`a stored rows list names the class ${String(topic)}`)
    const proto = this.prototypeFor(topic, last)
    if (proto === UNREGISTERED)
      return { create: () => ({}), finish: (fields) => UnregisteredValue.of(topic, fields) }
    return { create: () => Object.create(proto) as Record<string, unknown> }
  }

  /** The prototype of `topic`'s instances (kept in `last`: a state's are mostly of one class). */
  private prototypeFor(topic: string, last: LastClass): object | typeof UNREGISTERED {
    if (topic !== last.topic) {
      last.proto = prototypeOf(topic, this.registry, this.keepUnregistered)
      last.topic = topic
    }
    return last.proto
  }

  private revive(value: unknown, last: LastClass): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const record = value as Record<string, unknown>
    const tag = record[TAG]
    if (tag === undefined) return value
    const v = record[VALUE]
    switch (tag) {
      case 'date':
      case 'uuid':
      case 'bigint':
      case 'number':
      case 'bytes':
        return valueFromText[tag as TextKind](v as string)
      case 'map':
        if (KEYS in record) return reviveColumnMap(record[KEYS], v)
        return new Map(v as Array<[unknown, unknown]>)
      case 'texts':
        return reviveTexts(record[CLASS], v)
      case 'rows':
        return reviveRows(record[KEYS], v, record[ABSENT], this.rowMaker(record[CLASS], last))
      case 'set':
        return new Set(v as unknown[])
      case 'dict':
        return Object.fromEntries(v as Array<[string, unknown]>)
      case 'obj': {
        const topic = record[CLASS] as string
        // A state's instances are mostly of a few classes, often one run of the same.
        const proto = this.prototypeFor(topic, last)
        if (proto === UNREGISTERED) return UnregisteredValue.of(topic, v as Record<string, unknown>)
        // (Object.assign, as before, but a loop of stores: Object.assign onto an object of a
        // class looked up its prototype chain per key, about three times the cost.)
        const instance = Object.create(proto) as Record<string, unknown>
        const fields = v as Record<string, unknown>
        for (const key in fields) {
          // (Never written: the encoder's copy drops it. Stored, it would swap the prototype.)
          if (key === '__proto__') throw new DataIntegrityError(`a stored ${topic} sets __proto__`)
          instance[key] = fields[key]
        }
        return instance
      }
      default:
        throw new DataIntegrityError(`unknown type tag '${String(tag)}' in stored state`)
    }
  }
}

/** The topic an instance is stored under; TypeError for an instance of an unregistered class. */
function storedTopicOf(value: object, registry: TopicRegistry): string {
  const topic = classTopicOf(value, registry)
  if (topic === undefined) {
    throw new TypeError(
      `cannot transcode an instance of unregistered class ${value.constructor.name}; register it with a topic`,
    )
  }
  return topic
}

const UNREGISTERED = Symbol('unregistered')

/** The class of the last instance one decode revived (topic undefined before the first). */
interface LastClass {
  topic: string | undefined
  proto: object | typeof UNREGISTERED
}

/**
 * The prototype a stored instance of class `topic` is read back with, or UNREGISTERED when no
 * class is registered under it and such values are kept (else TopicNotFound).
 */
function prototypeOf(
  topic: string,
  registry: TopicRegistry,
  keepUnregistered: boolean,
): object | typeof UNREGISTERED {
  if (keepUnregistered && !registry.has(topic)) return UNREGISTERED
  return registry.resolve(topic).prototype as object
}

/** `{ _t_: kind, _v_: text }`: a value JSON cannot hold, tagged with its kind. */
function tagged(kind: TextKind, text: string): Record<string, string> {
  return { [TAG]: kind, [VALUE]: text }
}

function refuse(value: symbol | FunctionValue): never {
  throw new TypeError(`cannot transcode a ${typeof value}`)
}

/** One `JsonTranscoder.copy`: a walk with the encoder's rules, building what decode would. */
class Copier {
  bytes = 0
  /** The prototype each class's stored instances are read back with, by the class's own. */
  private readonly prototypes = new Map<object, object | typeof UNREGISTERED>()

  constructor(
    private readonly registry: TopicRegistry,
    private readonly keepUnregistered: boolean,
  ) {}

  /** A value where JSON would write null for undefined (an array's element, a map's entry). */
  private element(value: unknown): unknown {
    return value === undefined ? null : this.value(value)
  }

  value(value: unknown): unknown {
    switch (typeof value) {
      case 'string':
        this.bytes += 16 + value.length
        return value
      case 'number':
        this.bytes += 8
        // JSON writes -0 as 0; the non-finite ones are tagged and come back as they were.
        return value === 0 ? 0 : value
      case 'boolean':
        return value
      case 'undefined':
        return undefined
      case 'bigint':
        this.bytes += 16
        return value
      default:
        break
    }
    if (value === null) return null
    // The common kinds by prototype, each exactly as visitValue would classify it; the rest
    // (subclasses, Buffer, null-prototype objects) through visitValue.
    const proto = Object.getPrototypeOf(value) as object | null
    switch (proto) {
      case Object.prototype:
        return this.visitor.object(value as Record<string, unknown>)
      case Array.prototype:
        if (Array.isArray(value)) return this.visitor.array(value)
        break
      case UUID.prototype:
        return this.visitor.uuid(value as UUID)
      case Map.prototype:
        return this.visitor.map(value as Map<unknown, unknown>)
      default:
        break
    }
    // An instance of a class met before in this copy: visitValue would say so again (its
    // checks depend on the prototype chain alone, and on being an array).
    if (proto !== null && this.prototypes.has(proto) && !Array.isArray(value))
      return this.visitor.instance(value as object)
    return visitValue(value, this.visitor)
  }

  private readonly visitor: ValueVisitor<unknown> = {
    undefined: () => undefined,
    null: () => null,
    boolean: (value) => value,
    string: (value) => this.value(value),
    number: (value) => this.value(value),
    bigint: (value) => this.value(value),
    symbol: refuse,
    function: refuse,
    date: (value) => {
      this.bytes += 32
      const time = value.getTime()
      // encode throws RangeError for an invalid date (toISOString): so does this.
      if (Number.isNaN(time)) valueText.date(value)
      return new Date(time)
    },
    uuid: (value) => {
      this.bytes += 32
      return UUID.copyOf(value)
    },
    bytes: (value) => {
      this.bytes += 64 + value.byteLength
      return new Uint8Array(value)
    },
    array: (value) => {
      this.bytes += 16 + 8 * value.length
      const out = new Array<unknown>(value.length)
      for (let i = 0; i < value.length; i++) out[i] = this.element(value[i])
      return out
    },
    map: (value) => {
      this.bytes += 64 + 40 * value.size
      const out = new Map<unknown, unknown>()
      // forEach, not for…of: no [key, value] array per entry.
      value.forEach((v, k) => out.set(this.element(k), this.element(v)))
      return out
    },
    set: (value) => {
      this.bytes += 64 + 24 * value.size
      const out = new Set<unknown>()
      for (const v of value) out.add(this.element(v))
      return out
    },
    object: (value) => {
      // JSON.parse makes every object a plain one (a null prototype too).
      const out: Record<string, unknown> = {}
      const dict = TAG in value
      let count = 0
      for (const key in value) count += this.field(value, key, out, dict)
      this.bytes += 32 + 16 * count
      return out
    },
    instance: (value) => {
      const from = value as Record<string, unknown>
      const keys = Object.keys(from)
      this.bytes += 32 + 16 * keys.length
      // Instances of one class share the lookups (an UnregisteredValue's topic is its own).
      const own = Object.getPrototypeOf(value) as object
      let topic = ''
      let proto = this.prototypes.get(own)
      if (proto === undefined) {
        topic = storedTopicOf(value, this.registry)
        proto = prototypeOf(topic, this.registry, this.keepUnregistered)
        if (proto !== UNREGISTERED && !(value instanceof UnregisteredValue))
          this.prototypes.set(own, proto)
      }
      if (proto === UNREGISTERED) {
        const fields: Record<string, unknown> = {}
        for (const key of keys) this.field(from, key, fields, false)
        return UnregisteredValue.of(topic, fields)
      }
      // As decode's Object.assign: each field set in turn (a setter of the class runs).
      const out = Object.create(proto) as Record<string, unknown>
      for (const key of keys) this.field(from, key, out, false)
      return out
    },
  }

  /**
   * Copies field `key` of `from` onto `to` unless encode would not store it: an undefined
   * field, or one named `__proto__` (encode's own assignment drops it) unless the object is
   * escaped as a dict (its entries are stored, and Object.fromEntries makes it an own field).
   * 1 if copied, else 0.
   */
  private field(
    from: Record<string, unknown>,
    key: string,
    to: Record<string, unknown>,
    dict: boolean,
  ): number {
    const v = from[key]
    if (v === undefined) return 0
    if (key === '__proto__') {
      if (!dict) return 0
      Object.defineProperty(to, key, {
        value: this.value(v),
        enumerable: true,
        writable: true,
        configurable: true,
      })
      return 1
    }
    to[key] = this.value(v)
    return 1
  }
}
