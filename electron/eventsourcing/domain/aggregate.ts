import {
  DataIntegrityError,
  EntityIsDiscarded,
  EventApplyFailed,
  EventSourcingError,
} from '../errors'
import { DomainEvent, checkSequence, type EventInit } from './events'
import { HEADER_KEYS, ownFields } from './eventFields'
import { topics } from './topics'
import { newOriginatorId } from './uuid'

/** What one save stores: the pending events of one or more aggregates, atomically. */
export type EventBatch = readonly DomainEvent[]

/**
 * What an aggregate's own `save()` goes through: the application that created or loaded it.
 * Set per aggregate (never a module global), so two applications never store each other's.
 */
export interface AggregateSaver {
  save(...aggregates: Aggregate[]): Promise<unknown>
}

/** The fields the `Created` event hands to an aggregate's constructor. */
export interface AggregateInit {
  readonly id: string
  readonly version: number
  readonly timestamp: Date
  readonly hash: string
}

type Payload<E> = Omit<E, keyof DomainEvent | 'apply'>

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- subclasses declare their own init fields
export type AggregateClass<A extends Aggregate = Aggregate> = (new (init: any) => A) & {
  readonly Created: typeof Aggregate.Created
  readonly AttributeChanged: typeof Aggregate.AttributeChanged
  readonly Discarded: typeof Aggregate.Discarded
}

/** An event of an aggregate after its creation: checks the sequence, applies, advances. */
export abstract class AggregateEvent<A extends Aggregate = Aggregate> extends DomainEvent<A> {
  override mutate(obj: A | null): A {
    if (obj === null) {
      throw new TypeError(`${this.constructor.name} cannot be applied before the aggregate exists`)
    }
    checkSequence(this, obj)
    this.apply(obj)
    obj.advance(this)
    return obj
  }

  /** What this event changes; the version bookkeeping is done by `mutate`. */
  abstract apply(obj: A): void
}

/**
 * A versioned, timestamped aggregate root (the seed's TimestampedVersionedEntity). Its state is
 * its own enumerable fields; pending events and the application it is bound to are kept out of it, so a snapshot is
 * simply the enumerable fields.
 */
/** What a Created event holds besides the aggregate's constructor fields. */
const NOT_CONSTRUCTOR_FIELDS: ReadonlySet<string> = new Set([...HEADER_KEYS, 'originatorTopic'])

export abstract class Aggregate {
  /** The first event: builds the aggregate from its class topic and constructor fields. */
  static Created = class Created extends DomainEvent<Aggregate> {
    declare readonly originatorTopic: string

    override mutate(obj: Aggregate | null): Aggregate {
      if (obj !== null) throw new TypeError('Created applied to an existing aggregate')
      const cls = topics.resolve(this.originatorTopic) as unknown as AggregateClass
      const init = ownFields(this, NOT_CONSTRUCTOR_FIELDS)
      init.id = this.originatorId
      init.version = this.originatorVersion
      init.timestamp = this.timestamp
      init.hash = this.hash
      return new cls(init as unknown as AggregateInit)
    }
  }

  /** Assignment to an `@attribute` property. `name` is the private field, e.g. `_foo`. */
  static AttributeChanged = class AttributeChanged extends AggregateEvent {
    declare readonly name: string
    declare readonly value: unknown
    override apply(obj: Aggregate): void {
      ;(obj as unknown as Record<string, unknown>)[this.name] = this.value
    }
  }

  static Discarded = class Discarded extends AggregateEvent {
    override apply(obj: Aggregate): void {
      obj._isDiscarded = true
    }
  }

  declare _id: string
  declare _version: number
  declare _createdOn: Date
  declare _lastModified: Date
  declare _isDiscarded: boolean
  declare _lastHash: string

  constructor(init: AggregateInit) {
    this._id = init.id
    this._version = init.version
    this._createdOn = init.timestamp
    this._lastModified = init.timestamp
    this._isDiscarded = false
    this._lastHash = init.hash
    this.initTransient()
  }

  /** Creates an aggregate: triggers `Created` at version 0 with a fresh v4 UUID. */
  static create<A extends Aggregate, F extends object>(
    this: (new (init: AggregateInit & F) => A) & AggregateClass<A>,
    fields: F,
  ): A {
    const init = ownFields(fields)
    init.originatorId = newOriginatorId()
    init.originatorVersion = 0
    init.timestamp = new Date()
    init.previousHash = ''
    init.originatorTopic = topics.topicOf(this)
    const event = new this.Created(init as EventInit<{ originatorTopic: string }>)
    const aggregate = event.mutate(null) as A
    aggregate.pending.push(event)
    return aggregate
  }

  get id(): string {
    return this._id
  }
  get version(): number {
    return this._version
  }
  get createdOn(): Date {
    return this._createdOn
  }
  get lastModified(): Date {
    return this._lastModified
  }
  get isDiscarded(): boolean {
    return this._isDiscarded
  }
  get lastHash(): string {
    return this._lastHash
  }

  declare private pending: DomainEvent[]
  declare private saver: AggregateSaver | undefined

  /** Sets up what is not state (pending events, the saver); also run after restoring a snapshot. */
  initTransient(): void {
    Object.defineProperty(this, 'pending', { value: [], writable: true, enumerable: false })
    Object.defineProperty(this, 'saver', { value: undefined, writable: true, enumerable: false })
  }

  /**
   * Binds `save()` to an application (done by the application that creates, loads or saves
   * this aggregate). Non-enumerable, so it is never part of a snapshot's state.
   */
  bindSaver(saver: AggregateSaver): this {
    this.saver = saver
    return this
  }

  /** Events triggered since the last save, oldest first. */
  get pendingEvents(): readonly DomainEvent[] {
    return this.pending
  }

  /** Removes and returns the pending events (what a save stores). */
  collectEvents(): DomainEvent[] {
    return this.pending.splice(0)
  }

  /**
   * Puts back events a save collected but could not store, before any triggered since, so the
   * caller sees them pending and can retry (or drop them).
   */
  restorePendingEvents(events: readonly DomainEvent[]): void {
    this.pending.unshift(...events)
  }

  /** Drops the pending events without storing them. The in-memory state keeps them applied. */
  dropPendingEvents(): number {
    return this.pending.splice(0).length
  }

  /**
   * The seed's `aggregate.save()`: `app.save(this)` on the application this aggregate is bound
   * to (ConcurrencyError when another writer saved first; the events then stay pending).
   */
  async save(): Promise<void> {
    if (!this.saver) {
      throw new Error(
        `aggregate ${this._id} is not bound to an application: save it with app.save(aggregate)`,
      )
    }
    await this.saver.save(this)
  }

  /** Triggers an event of this aggregate: applies it now and keeps it pending until save. */
  protected trigger<E extends AggregateEvent>(
    cls: new (init: EventInit) => E,
    fields: Payload<E>,
  ): E {
    if (this._isDiscarded) throw new EntityIsDiscarded(this._id)
    const init = ownFields(fields as object)
    init.originatorId = this._id
    init.originatorVersion = this._version + 1
    init.timestamp = new Date()
    init.previousHash = this._lastHash
    const event = new cls(init as EventInit)
    event.mutate(this)
    this.pending.push(event)
    return event
  }

  /** Triggers `AttributeChanged` (used by `@attribute` setters). */
  changeAttribute(name: string, value: unknown): void {
    const cls = (this.constructor as AggregateClass).AttributeChanged
    this.trigger(cls, { name, value } as Payload<InstanceType<typeof cls>>)
  }

  /** Triggers `Discarded` (the seed's `__discard__`); save() stores it. */
  __discard__(): void {
    const cls = (this.constructor as AggregateClass).Discarded
    this.trigger(cls, {} as Payload<InstanceType<typeof cls>>)
  }

  /** Version bookkeeping after an event's own change; called by AggregateEvent.mutate. */
  advance(event: DomainEvent): void {
    this._version = event.originatorVersion
    this._lastModified = event.timestamp
    this._lastHash = event.hash
  }
}

/**
 * Makes a property an event-sourced attribute: reading returns the private field `_name`,
 * assigning triggers `AttributeChanged { name: '_name', value }` (the seed's `@attribute`).
 */
export function attribute(target: Aggregate, propertyKey: string): void {
  const field = `_${propertyKey}`
  Object.defineProperty(target, propertyKey, {
    get(this: Aggregate) {
      return (this as unknown as Record<string, unknown>)[field]
    },
    set(this: Aggregate, value: unknown) {
      this.changeAttribute(field, value)
    },
    enumerable: false,
    configurable: true,
  })
}

/** The state a snapshot holds: every enumerable field. */
export function aggregateState(aggregate: Aggregate): Record<string, unknown> {
  return { ...(aggregate as unknown as Record<string, unknown>) }
}

/** Rebuilds an aggregate from a snapshot's topic and state. */
export function restoreAggregate(topic: string, state: Record<string, unknown>): Aggregate {
  const cls = topics.resolve(topic)
  // (Never written: an aggregate's state is its own fields. Stored, it would swap the prototype.)
  if (Object.hasOwn(state, '__proto__'))
    throw new DataIntegrityError(`a stored ${topic} state sets __proto__`)
  const aggregate = Object.create(cls.prototype as object) as Aggregate
  Object.assign(aggregate, state)
  aggregate.initTransient()
  return aggregate
}

/**
 * A stored snapshot's aggregate, checked to be the one it is filed under: its id and version
 * are the snapshot's (a state edited to another version would be shown under this one).
 */
export function restoreSnapshot(
  snapshot: {
    readonly originatorId: string
    readonly originatorVersion: number
    readonly topic: string
  },
  state: Record<string, unknown>,
): Aggregate {
  const aggregate = restoreAggregate(snapshot.topic, state)
  const { originatorId: id, originatorVersion: version } = snapshot
  if (aggregate.id !== id || aggregate.version !== version) {
    throw new DataIntegrityError(
      `the snapshot at version ${version} of ${id} holds the state of ${String(aggregate.id) === id ? '' : `${String(aggregate.id)} `}version ${String(aggregate.version)}`,
      { originatorId: id, originatorVersion: version, problem: 'undecodable' },
    )
  }
  return aggregate
}

/**
 * What a replay throws when applying a stored `event` failed with `error`: the library's own
 * errors as they are, any other (the class's own code) as EventApplyFailed naming the event.
 */
export function applyFailure(event: DomainEvent, error: unknown): unknown {
  if (error instanceof EventSourcingError) return error
  const topic = topics.topicOfInstance(event) ?? event.constructor.name
  const reason = error instanceof Error ? error.message : String(error)
  return new EventApplyFailed(
    `the stored event ${topic} at version ${event.originatorVersion} of ${event.originatorId} could not be applied: ${reason} (does the loaded class of this event still match the events stored?)`,
    { cause: error },
  )
}

export { topics }
