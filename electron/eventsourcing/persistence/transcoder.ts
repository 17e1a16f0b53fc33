import { DataIntegrityError, EventSourcingError } from '../errors'
import { UUID } from '../domain/uuid'
import { topics, type TopicRegistry } from '../domain/topics'

const TAG = '_t_'
const VALUE = '_v_'
const CLASS = '_c_'
const TAG_KEY_TEXT = `"${TAG}"`

/**
 * JSON with tagged types: dates, UUIDs, maps, sets, bigints, bytes and instances of registered
 * classes (child entities, value objects) survive a round trip with their types. A plain object
 * that happens to use the tag key is escaped, so no stored value is ever misread as a tag.
 */
export class JsonTranscoder {
  constructor(private readonly registry: TopicRegistry = topics) {}

  encode(value: unknown): string {
    return JSON.stringify(this.toJson(value))
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
    if (!text.includes(TAG_KEY_TEXT)) return parsed
    try {
      return this.reviveTree(parsed)
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

  /** Decodes tagged values bottom-up, visiting objects and arrays only (faster than a reviver). */
  private reviveTree(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.reviveTree(value[i])
      return value
    }
    const record = value as Record<string, unknown>
    for (const key in record) {
      const child = record[key]
      if (child !== null && typeof child === 'object') record[key] = this.reviveTree(child)
    }
    return this.revive(record)
  }

  private toJson(value: unknown): unknown {
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'bigint') return { [TAG]: 'bigint', [VALUE]: value.toString() }
      if (typeof value === 'number' && !Number.isFinite(value)) {
        return { [TAG]: 'number', [VALUE]: String(value) }
      }
      if (typeof value === 'function' || typeof value === 'symbol') {
        throw new TypeError(`cannot transcode a ${typeof value}`)
      }
      return value
    }
    if (Array.isArray(value)) return value.map((v) => this.toJson(v))
    if (value instanceof Date) return { [TAG]: 'date', [VALUE]: value.toISOString() }
    if (value instanceof UUID) return { [TAG]: 'uuid', [VALUE]: value.hex }
    if (value instanceof Uint8Array) {
      return { [TAG]: 'bytes', [VALUE]: Buffer.from(value).toString('base64') }
    }
    if (value instanceof Map) {
      return { [TAG]: 'map', [VALUE]: [...value].map(([k, v]) => [this.toJson(k), this.toJson(v)]) }
    }
    if (value instanceof Set)
      return { [TAG]: 'set', [VALUE]: [...value].map((v) => this.toJson(v)) }
    const proto = Object.getPrototypeOf(value) as object | null
    if (proto === Object.prototype || proto === null) {
      const record = value as Record<string, unknown>
      if (TAG in record) {
        const entries = Object.entries(record).filter(([, v]) => v !== undefined)
        return { [TAG]: 'dict', [VALUE]: entries.map(([k, v]) => [k, this.toJson(v)]) }
      }
      const out: Record<string, unknown> = {}
      for (const key in record) {
        const v = record[key]
        if (v !== undefined) out[key] = this.toJson(v)
      }
      return out
    }
    const topic = this.registry.topicOfInstance(value)
    if (topic === undefined) {
      throw new TypeError(
        `cannot transcode an instance of unregistered class ${value.constructor.name}; register it with a topic`,
      )
    }
    // The fields go through the plain-object path so that a field named like the tag key is
    // escaped too (otherwise the fields would be misread as a tagged value on the way back).
    const fields: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) fields[k] = v
    return { [TAG]: 'obj', [CLASS]: topic, [VALUE]: this.toJson(fields) }
  }

  private revive(value: unknown): unknown {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
    const record = value as Record<string, unknown>
    const tag = record[TAG]
    if (tag === undefined) return value
    const v = record[VALUE]
    switch (tag) {
      case 'date':
        return new Date(v as string)
      case 'uuid':
        return new UUID(v as string)
      case 'bigint':
        return BigInt(v as string)
      case 'number':
        return Number(v)
      case 'bytes':
        return new Uint8Array(Buffer.from(v as string, 'base64'))
      case 'map':
        return new Map(v as Array<[unknown, unknown]>)
      case 'set':
        return new Set(v as unknown[])
      case 'dict':
        return Object.fromEntries(v as Array<[string, unknown]>)
      case 'obj': {
        const cls = this.registry.resolve(record[CLASS] as string)
        return Object.assign(Object.create(cls.prototype as object) as object, v)
      }
      default:
        throw new DataIntegrityError(`unknown type tag '${String(tag)}' in stored state`)
    }
  }
}
