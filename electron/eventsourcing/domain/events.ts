import { OriginatorIdError, OriginatorVersionError, TopicNotFound } from '../errors'
import { canonicalEventJson, sha256Hex } from './hashing'
import { topics, type TopicRegistry } from './topics'
import { assignFields } from './valueTypes'
import { HEADER_KEYS, ownFields } from './eventFields'

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
    const topic = eventTopicOf(this, registry) ?? `<unregistered ${this.constructor.name}>`
    const text = canonicalEventJson(topic, this)
    const hash = sha256Hex(text)
    ;(this as { hash: string }).hash = hash
    // Kept for the format 2 writer, which stores this very text: it is not written twice.
    Object.defineProperty(this, HASHED, { value: new HashedText(topic, text, hash) })
  }

  /** Applies this event to `obj` (null before creation) and returns the result. */
  abstract mutate(obj: T | null): T | null

  /** Fields beyond the header: what the event says. */
  payload(): Record<string, unknown> {
    return ownFields(this, HEADER_KEYS)
  }
}

/**
 * What a decoded event's hash can be checked against without rebuilding its canonical JSON
 * from its fields: a format 2 record holds that text (persistence/canonicalRecord.ts).
 */
export interface StoredHashProof {
  /** The canonical text the stored record holds for the row it was read from. */
  canonicalText(): string
}
const PROOF = Symbol('storedHashProof')
const HASHED = Symbol('hashedText')

/** The canonical text an event's constructor hashed, under the topic it hashed it with. */
class HashedText {
  constructor(
    readonly topic: string,
    readonly text: string,
    readonly hash: string,
  ) {}
}

/**
 * The canonical text this event's hash was computed over when it was constructed, if it was
 * computed under `topic` and the event still carries that hash; else undefined (decoded
 * events, copies: the caller writes the text from the fields). A non-enumerable own property,
 * as the proof below, so a copy of the event does not carry it.
 */
export function hashedTextOf(event: object, topic: string): string | undefined {
  const hashed = (event as { [HASHED]?: HashedText })[HASHED]
  if (hashed === undefined || hashed.topic !== topic) return undefined
  return (event as { hash?: unknown }).hash === hashed.hash ? hashed.text : undefined
}

/**
 * Set by the mapper on an event it decoded from a format 2 record. A non-enumerable own
 * property: a copy of the event (spread, Object.assign) does not carry it, so a changed copy is
 * checked from its fields. (Measured: a WeakMap entry per event cost several times more, and
 * more garbage collection.)
 */
export function attachHashProof(event: object, proof: StoredHashProof): void {
  Object.defineProperty(event, PROOF, { value: proof })
}

/**
 * Whether an event's contents match its hash: from the text its record stored when it was read
 * from a format 2 record, else by recomputing the canonical JSON (events built in memory, and
 * records written by earlier versions). Either way the same hash of the same text.
 */
export function eventHashMatches(event: DomainEvent, registry: TopicRegistry = topics): boolean {
  const proof = (event as { [PROOF]?: StoredHashProof })[PROOF]
  if (proof === undefined) return computeEventHash(event, registry) === event.hash
  return sha256Hex(proof.canonicalText()) === event.hash
}

export function computeEventHash(event: object, registry: TopicRegistry = topics): string {
  const topic = eventTopicOf(event, registry) ?? `<unregistered ${event.constructor.name}>`
  // The canonical JSON of { topic, ...fields but hash }, written without making that copy.
  return sha256Hex(canonicalEventJson(topic, event))
}

const STORED_TOPIC = Symbol('UnregisteredEvent.topic')

/**
 * A stored event whose topic no loaded module registers, read anyway: its header and payload
 * fields as stored (plain data; values of unregistered classes are UnregisteredValues) and its
 * topic, kept off its fields. It hashes as the event it was read from (the topic is part of
 * the hashed text), so its hash chain verifies; it cannot be applied without its class.
 */
export class UnregisteredEvent extends DomainEvent<never> {
  declare readonly [STORED_TOPIC]: string

  /** The event stored under `topic` with these fields (header fields included). */
  static fromStored(topic: string, fields: Readonly<Record<string, unknown>>): UnregisteredEvent {
    const event = Object.create(UnregisteredEvent.prototype as object) as UnregisteredEvent
    Object.defineProperty(event, STORED_TOPIC, { value: topic, enumerable: false })
    assignFields(event, fields)
    return event
  }

  /** The topic the event was stored under. */
  static topicOf(event: UnregisteredEvent): string {
    return event[STORED_TOPIC]
  }

  /** Refused: what the event does is defined by a class that is not loaded. */
  override mutate(): never {
    const topic = UnregisteredEvent.topicOf(this)
    throw new TopicNotFound(
      topic,
      `no definition is loaded for topic '${topic}': its events can be read and verified, but not applied`,
    )
  }
}

/** The topic of an event: the one it was stored under if unregistered, else its class's. */
export function eventTopicOf(event: object, registry: TopicRegistry = topics): string | undefined {
  return event instanceof UnregisteredEvent
    ? UnregisteredEvent.topicOf(event)
    : registry.topicOfInstance(event)
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
