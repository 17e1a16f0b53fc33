/**
 * For the tests: aggregates written by a module that is not loaded here. Their classes are
 * registered in the writer's own TopicRegistry only; the records go straight into a store
 * through a Mapper over that registry, as that module's application would have stored them.
 */
import {
  AesGcmCipher,
  DomainEvent,
  type EventInit,
  Mapper,
  newOriginatorId,
  SnapshotStrategy,
  type Store,
  TopicRegistry,
} from '../eventsourcing'

export const GADGET = 'elsewhere#Gadget'

class Money {
  declare readonly amount: bigint
  constructor(amount: bigint) {
    this.amount = amount
  }
}

abstract class GadgetEvent extends DomainEvent<never> {
  override mutate(): never {
    throw new Error('the writer never applies these here')
  }
}
class Created extends GadgetEvent {}
class Renamed extends GadgetEvent {}
class Discarded extends GadgetEvent {}

const writerTopics = new TopicRegistry()
writerTopics.register(`${GADGET}.Created`, Created)
writerTopics.register(`${GADGET}.Renamed`, Renamed)
writerTopics.register(`${GADGET}.Discarded`, Discarded)
writerTopics.register('elsewhere#Money', Money)
/** An event a newer version of a loaded type's module would store. */
export const FROBBED = 'example#ExampleAggregateRoot.Frobbed'
class Frobbed extends GadgetEvent {}
writerTopics.register(FROBBED, Frobbed)

export interface ForeignHistory {
  readonly id: string
  readonly events: readonly DomainEvent[]
}

export interface WriteOptions {
  readonly cipherKey: Uint8Array
  /** How many events (v0 Created, then Renamed to `name-<v>`). */
  readonly length: number
  /** Versions at which to store a snapshot. */
  readonly snapshotsAt?: readonly number[]
  /** The last event is a Discarded (the snapshot at its version, if any, has state null). */
  readonly discarded?: boolean
  /** This version is stored with another name than it was hashed with. */
  readonly tamperedAt?: number
  /** The snapshots record another last hash than their event's. */
  readonly unlinkedSnapshots?: boolean
  /** The snapshots record no last hash at all. */
  readonly hashlessSnapshots?: boolean
}

/** Writes one foreign aggregate into `store` and returns its id and the events as hashed. */
export async function writeForeignHistory(
  store: Store,
  options: WriteOptions,
): Promise<ForeignHistory> {
  const mapper = new Mapper({ registry: writerTopics, cipher: new AesGcmCipher(options.cipherKey) })
  const id = newOriginatorId()
  const events: DomainEvent[] = []
  for (let version = 0; version < options.length; version++) {
    const last = version === options.length - 1
    const cls = version === 0 ? Created : last && options.discarded ? Discarded : Renamed
    const init = {
      originatorId: id,
      originatorVersion: version,
      timestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, version)),
      previousHash: events[version - 1]?.hash ?? '',
      ...(cls === Discarded ? {} : { name: `name-${version}`, price: new Money(BigInt(version)) }),
    }
    events.push(new cls(init as EventInit, writerTopics))
  }
  const stored = events.map((event) =>
    event.originatorVersion === options.tamperedAt
      ? Object.assign(Object.create(Object.getPrototypeOf(event) as object) as DomainEvent, event, {
          name: 'forged',
        })
      : event,
  )
  await store.events.insert(stored.map((e) => mapper.eventToRecord(e)))
  const snapshots = new SnapshotStrategy(store.snapshots, mapper)
  for (const version of options.snapshotsAt ?? []) {
    const event = events[version]!
    const gone = event instanceof Discarded
    await snapshots.put({
      originatorId: id,
      originatorVersion: version,
      timestamp: event.timestamp,
      topic: GADGET,
      state: gone
        ? null
        : snapshotState(
            events,
            version,
            options.unlinkedSnapshots === true
              ? 'previous'
              : options.hashlessSnapshots === true
                ? 'none'
                : 'own',
          ),
    })
  }
  return { id, events }
}

/** The state the writer's aggregate had at `version` (as its snapshot stores it). */
function snapshotState(
  events: readonly DomainEvent[],
  version: number,
  lastHash: 'own' | 'previous' | 'none',
): Record<string, unknown> {
  const event = events[version]!
  const hash = { own: event.hash, previous: events[version - 1]?.hash, none: undefined }[lastHash]
  return {
    _id: event.originatorId,
    _version: version,
    _createdOn: events[0]!.timestamp,
    _lastModified: event.timestamp,
    _isDiscarded: false,
    ...(hash === undefined ? {} : { _lastHash: hash }),
    _name: `name-${version}`,
    _price: new Money(BigInt(version)),
  }
}

/** Appends a FROBBED event (a topic this app does not register) to aggregate `id`. */
export async function appendForeignEvent(
  store: Store,
  options: { cipherKey: Uint8Array; id: string; version: number; previousHash: string },
): Promise<void> {
  const mapper = new Mapper({ registry: writerTopics, cipher: new AesGcmCipher(options.cipherKey) })
  const init = {
    originatorId: options.id,
    originatorVersion: options.version,
    timestamp: new Date(),
    previousHash: options.previousHash,
    level: 11,
  }
  await store.events.insert([mapper.eventToRecord(new Frobbed(init as EventInit, writerTopics))])
}
