import { OriginatorIdError, OriginatorVersionError } from '../errors'
import { canonicalEventJson, sha256Hex } from './hashing'
import { topics, type TopicRegistry } from './topics'

/** The fields every stored domain event has. */
export interface EventHeader {
  readonly originatorId: string
  readonly originatorVersion: number
  readonly timestamp: Date
  /** Hash of the previous event of the same aggregate ('' for the first). */
  readonly previousHash: string
  /** Hash of this event (all its fields but this one). */
  readonly hash: string
}

/** The header fields a caller supplies; the hash is computed. */
export type EventInit<F = object> = Omit<EventHeader, 'hash'> & F

/**
 * A domain event: immutable data about something that happened to one aggregate, plus the
 * pure `mutate` that applies it. Subclasses declare their own fields with `declare` and are
 * registered under a stable topic.
 */
export abstract class DomainEvent<T = unknown> implements EventHeader {
  declare readonly originatorId: string
  declare readonly originatorVersion: number
  declare readonly timestamp: Date
  declare readonly previousHash: string
  declare readonly hash: string

  constructor(init: EventInit, registry: TopicRegistry = topics) {
    Object.assign(this, init)
    Object.assign(this, { hash: computeEventHash(this, registry) })
  }

  /** Applies this event to `obj` (null before creation) and returns the result. */
  abstract mutate(obj: T | null): T | null

  /** Fields beyond the header: what the event says. */
  payload(): Record<string, unknown> {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(this)) {
      if (!HEADER_KEYS.has(key)) out[key] = value
    }
    return out
  }
}

const HEADER_KEYS = new Set([
  'originatorId',
  'originatorVersion',
  'timestamp',
  'previousHash',
  'hash',
])

export function computeEventHash(event: object, registry: TopicRegistry = topics): string {
  const topic = registry.topicOfInstance(event) ?? `<unregistered ${event.constructor.name}>`
  // The canonical JSON of { topic, ...fields but hash }, written without making that copy.
  return sha256Hex(canonicalEventJson(topic, event))
}

/** Rebuilds an event from stored fields without re-running its constructor. */
export function reconstructEvent<E extends DomainEvent>(
  cls: abstract new (...args: never[]) => E,
  fields: Record<string, unknown>,
): E {
  const event = Object.create(cls.prototype as object) as E
  Object.assign(event, fields)
  return event
}

/** The checks an event applies before mutating: right entity, next version. */
export function checkSequence(
  event: EventHeader,
  obj: { readonly id: string; readonly version: number },
): void {
  if (event.originatorId !== obj.id) {
    throw new OriginatorIdError(`event for ${event.originatorId} cannot be applied to ${obj.id}`)
  }
  if (event.originatorVersion !== obj.version + 1) {
    throw new OriginatorVersionError(
      `event version ${event.originatorVersion} does not follow entity version ${obj.version} of ${obj.id}`,
    )
  }
}
