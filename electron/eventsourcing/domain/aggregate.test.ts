import { afterEach, describe, expect, test, vi } from 'vitest'
import { Example } from '../../example/example'
import { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { createExampleAggregate } from '../../example/factory'
import { EntityIsDiscarded, OriginatorIdError, OriginatorVersionError } from '../errors'
import {
  aggregateState,
  restoreAggregate,
  type Aggregate,
  type AggregateSaver,
  type EventBatch,
} from './aggregate'
import { computeEventHash, type DomainEvent } from './events'
import { topics } from './topics'
import { UUID } from './uuid'

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/**
 * What an aggregate's save() hands its events to, reduced to what this unit test looks at: the
 * batches it is given (Application.save stores them; its tests use real stores).
 */
function recordingSaver(): { saver: AggregateSaver; messages: EventBatch[] } {
  const messages: EventBatch[] = []
  const saver: AggregateSaver = {
    async save(...aggregates: Aggregate[]) {
      const batch = aggregates.flatMap((a) => a.collectEvents())
      if (batch.length > 0) messages.push(batch)
    },
  }
  return { saver, messages }
}

function boundAggregate(saver: AggregateSaver, foo = 'bar1'): ExampleAggregateRoot {
  return createExampleAggregate(foo).bindSaver(saver)
}

afterEach(() => {
  vi.useRealTimers()
})

describe('ExampleAggregateRoot (an aggregate)', () => {
  describe('given a freshly created aggregate', () => {
    test('then it is at version 0 with one pending Created event', () => {
      const aggregate = createExampleAggregate('bar1')

      expect(aggregate.version).toBe(0)
      expect(aggregate.foo).toBe('bar1')
      expect(aggregate.isDiscarded).toBe(false)
      expect(aggregate.pendingEvents).toHaveLength(1)
      const [created] = aggregate.pendingEvents
      expect(created).toBeInstanceOf(ExampleAggregateRoot.Created)
      expect(created!.originatorVersion).toBe(0)
      expect(created!.originatorId).toBe(aggregate.id)
    })

    test('then its id is a fresh v4 UUID, different for every aggregate', () => {
      const ids = Array.from({ length: 20 }, () => createExampleAggregate('x').id)

      for (const id of ids) expect(id).toMatch(UUID_V4)
      expect(new Set(ids).size).toBe(ids.length)
    })

    test('then the Created event names the aggregate class by its registered topic', () => {
      const aggregate = createExampleAggregate('bar1')
      const created = aggregate.pendingEvents[0] as InstanceType<
        typeof ExampleAggregateRoot.Created
      >

      expect(created.originatorTopic).toBe('example#ExampleAggregateRoot')
      expect(topics.topicOfInstance(created)).toBe('example#ExampleAggregateRoot.Created')
      expect(created.payload()).toEqual({
        originatorTopic: 'example#ExampleAggregateRoot',
        foo: 'bar1',
      })
    })

    test('then createdOn and lastModified are the Created event timestamp', () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(new Date('2024-01-02T03:04:05.678Z'))

      const aggregate = createExampleAggregate('bar1')

      expect(aggregate.createdOn.toISOString()).toBe('2024-01-02T03:04:05.678Z')
      expect(aggregate.lastModified.toISOString()).toBe('2024-01-02T03:04:05.678Z')
      expect(aggregate.pendingEvents[0]!.timestamp.toISOString()).toBe('2024-01-02T03:04:05.678Z')
    })
  })

  describe('given an aggregate whose attribute is assigned', () => {
    test('when foo is assigned, then an AttributeChanged { name: "_foo", value } is triggered and applied', () => {
      const aggregate = createExampleAggregate('bar1')

      aggregate.foo = 'bar2'

      expect(aggregate.foo).toBe('bar2')
      expect(aggregate._foo).toBe('bar2')
      const changed = aggregate.pendingEvents[1]!
      expect(changed).toBeInstanceOf(ExampleAggregateRoot.AttributeChanged)
      expect(changed.payload()).toEqual({ name: '_foo', value: 'bar2' })
    })

    test('when the private field changes, then reading the attribute returns it', () => {
      const aggregate = createExampleAggregate('bar1')

      aggregate._foo = 'set directly'

      expect(aggregate.foo).toBe('set directly')
      expect(aggregate.pendingEvents).toHaveLength(1)
    })

    test('when it is assigned several times, then versions increase by one per event', () => {
      const aggregate = createExampleAggregate('bar1')

      aggregate.foo = 'bar2'
      expect(aggregate.version).toBe(1)
      aggregate.foo = 'bar3'
      expect(aggregate.version).toBe(2)
      aggregate.createNewExample()
      expect(aggregate.version).toBe(3)

      expect(aggregate.pendingEvents.map((e) => e.originatorVersion)).toEqual([0, 1, 2, 3])
      expect(aggregate.pendingEvents.every((e) => e.originatorId === aggregate.id)).toBe(true)
    })

    test('when time passes between events, then lastModified follows the last event and createdOn stays', () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(new Date('2024-01-01T00:00:00.000Z'))
      const aggregate = createExampleAggregate('bar1')

      vi.setSystemTime(new Date('2024-06-01T12:00:00.000Z'))
      aggregate.foo = 'bar2'

      expect(aggregate.createdOn.toISOString()).toBe('2024-01-01T00:00:00.000Z')
      expect(aggregate.lastModified.toISOString()).toBe('2024-06-01T12:00:00.000Z')
    })

    test('then the attribute itself is not part of the state, only its private field', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'

      const state = aggregateState(aggregate)

      expect(state['_foo']).toBe('bar2')
      expect(Object.keys(state)).not.toContain('foo')
      expect(Object.keys(state)).not.toContain('pending')
      expect(Object.keys(state)).not.toContain('saver')
    })
  })

  describe('given custom events', () => {
    test('when createNewExample is called, then an ExampleCreated event adds an Example child entity', () => {
      const aggregate = createExampleAggregate('bar1')
      expect(aggregate.countExamples()).toBe(0)

      aggregate.createNewExample()

      expect(aggregate.countExamples()).toBe(1)
      const event = aggregate.pendingEvents[1] as InstanceType<
        typeof ExampleAggregateRoot.ExampleCreated
      >
      expect(event).toBeInstanceOf(ExampleAggregateRoot.ExampleCreated)
      expect(event.exampleId).toBeInstanceOf(UUID)
      const [child] = aggregate.examples
      expect(child).toBeInstanceOf(Example)
      expect(child!.id.equals(event.exampleId)).toBe(true)
      expect(aggregate._examples.get(event.exampleId.toString())).toBe(child)
    })

    test('when several examples are created, then countExamples counts each, with distinct ids', () => {
      const aggregate = createExampleAggregate('bar1')

      aggregate.createNewExample()
      aggregate.createNewExample()
      aggregate.createNewExample()

      expect(aggregate.countExamples()).toBe(3)
      expect(new Set(aggregate.examples.map((e) => e.id.toString())).size).toBe(3)
    })
  })

  describe('given pending events and an application it is bound to', () => {
    test('when saved, then the application receives ONE batch holding every pending event in order', async () => {
      const { saver, messages } = recordingSaver()
      const aggregate = boundAggregate(saver)
      aggregate.foo = 'bar2'
      aggregate.createNewExample()
      const pending = [...aggregate.pendingEvents]

      await aggregate.save()

      expect(messages).toHaveLength(1)
      expect(messages[0]).toEqual(pending)
      expect(messages[0]!.map((e) => e.originatorVersion)).toEqual([0, 1, 2])
    })

    test('when saved, then nothing is pending afterwards', async () => {
      const { saver } = recordingSaver()
      const aggregate = boundAggregate(saver)

      await aggregate.save()

      expect(aggregate.pendingEvents).toEqual([])
    })

    test('when saved twice with nothing new, then the second save publishes nothing', async () => {
      const { saver, messages } = recordingSaver()
      const aggregate = boundAggregate(saver)

      await aggregate.save()
      await aggregate.save()

      expect(messages).toHaveLength(1)
    })

    test('when more events follow a save, then the next save publishes only those', async () => {
      const { saver, messages } = recordingSaver()
      const aggregate = boundAggregate(saver)
      await aggregate.save()

      aggregate.foo = 'bar2'
      aggregate.foo = 'bar3'
      await aggregate.save()

      expect(messages.map((m) => m.map((e) => e.originatorVersion))).toEqual([[0], [1, 2]])
    })

    test('when bound to another application, then save goes there and not to the first', async () => {
      const first = recordingSaver()
      const second = recordingSaver()
      const aggregate = boundAggregate(first.saver)

      aggregate.bindSaver(second.saver)
      await aggregate.save()

      expect(first.messages).toEqual([])
      expect(second.messages).toHaveLength(1)
    })

    test('when the application refuses the save, then save rejects with that error', async () => {
      const aggregate = boundAggregate({
        save: async () => {
          throw new Error('store refused')
        },
      })

      await expect(aggregate.save()).rejects.toThrow('store refused')
    })

    test('when not bound to any application, then save throws and names app.save(aggregate)', async () => {
      const aggregate = createExampleAggregate('bar1')

      await expect(aggregate.save()).rejects.toThrow(
        /not bound to an application.*app\.save\(aggregate\)/,
      )
      expect(aggregate.pendingEvents).toHaveLength(1)
    })

    test('when a save collected the events and failed, then restorePendingEvents puts them back first', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'
      const collected = aggregate.collectEvents()
      aggregate.foo = 'bar3'

      aggregate.restorePendingEvents(collected)

      expect(aggregate.pendingEvents.map((e) => e.originatorVersion)).toEqual([0, 1, 2])
    })

    test('when pending events are dropped, then save publishes nothing', async () => {
      const { saver, messages } = recordingSaver()
      const aggregate = boundAggregate(saver)
      aggregate.foo = 'bar2'

      expect(aggregate.dropPendingEvents()).toBe(2)
      await aggregate.save()

      expect(messages).toEqual([])
    })
  })

  describe('given a discarded aggregate', () => {
    test('when __discard__ is called, then a Discarded event takes the next version', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'

      aggregate.__discard__()

      expect(aggregate.isDiscarded).toBe(true)
      expect(aggregate.version).toBe(2)
      expect(aggregate.pendingEvents[2]).toBeInstanceOf(ExampleAggregateRoot.Discarded)
    })

    test('when discard() is called, then the Discarded event is saved at once', async () => {
      const { saver, messages } = recordingSaver()
      const aggregate = boundAggregate(saver)
      await aggregate.save()

      await aggregate.discard()

      expect(messages).toHaveLength(2)
      expect(messages[1]).toHaveLength(1)
      expect(messages[1]![0]).toBeInstanceOf(ExampleAggregateRoot.Discarded)
      expect(aggregate.pendingEvents).toEqual([])
    })

    test('when any command is issued, then EntityIsDiscarded is raised and nothing changes', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.__discard__()
      const version = aggregate.version

      expect(() => {
        aggregate.foo = 'bar2'
      }).toThrow(EntityIsDiscarded)
      expect(() => aggregate.createNewExample()).toThrow(EntityIsDiscarded)
      expect(() => aggregate.__discard__()).toThrow(EntityIsDiscarded)

      expect(aggregate.version).toBe(version)
      expect(aggregate.foo).toBe('bar1')
      expect(aggregate.countExamples()).toBe(0)
      expect(aggregate.pendingEvents).toHaveLength(2)
    })

    test('then the error names the aggregate', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.__discard__()

      let error: unknown
      try {
        aggregate.foo = 'x'
      } catch (e) {
        error = e
      }

      expect(error).toBeInstanceOf(EntityIsDiscarded)
      expect((error as EntityIsDiscarded).originatorId).toBe(aggregate.id)
      expect((error as EntityIsDiscarded).code).toBe('EntityIsDiscarded')
    })
  })

  describe('given an event that does not belong to the aggregate', () => {
    function changeEvent(
      originatorId: string,
      originatorVersion: number,
    ): InstanceType<typeof ExampleAggregateRoot.AttributeChanged> {
      return new ExampleAggregateRoot.AttributeChanged({
        originatorId,
        originatorVersion,
        timestamp: new Date(),
        previousHash: '',
        name: '_foo',
        value: 'intruder',
      } as ConstructorParameters<typeof ExampleAggregateRoot.AttributeChanged>[0])
    }

    test('when an event of another aggregate is applied, then OriginatorIdError is raised and the state is unchanged', () => {
      const aggregate = createExampleAggregate('bar1')
      const other = createExampleAggregate('other')

      expect(() => changeEvent(other.id, 1).mutate(aggregate)).toThrow(OriginatorIdError)
      expect(aggregate.foo).toBe('bar1')
      expect(aggregate.version).toBe(0)
    })

    test('when an event skips a version, then OriginatorVersionError is raised and the state is unchanged', () => {
      const aggregate = createExampleAggregate('bar1')

      expect(() => changeEvent(aggregate.id, 2).mutate(aggregate)).toThrow(OriginatorVersionError)
      expect(aggregate.foo).toBe('bar1')
      expect(aggregate.version).toBe(0)
    })

    test('when an event repeats the current version, then OriginatorVersionError is raised', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'

      expect(() => changeEvent(aggregate.id, 1).mutate(aggregate)).toThrow(OriginatorVersionError)
      expect(aggregate.foo).toBe('bar2')
    })

    test('when the next event is applied by hand, then it is accepted and advances the version', () => {
      const aggregate = createExampleAggregate('bar1')

      changeEvent(aggregate.id, 1).mutate(aggregate)

      expect(aggregate.foo).toBe('intruder')
      expect(aggregate.version).toBe(1)
    })

    test('when a Created event is applied to an existing aggregate, then it is refused', () => {
      const aggregate = createExampleAggregate('bar1')
      const created = aggregate.pendingEvents[0]!

      expect(() => created.mutate(aggregate)).toThrow(TypeError)
    })

    test('when a later event is applied before the aggregate exists, then it is refused', () => {
      expect(() => changeEvent('00000000-0000-4000-8000-000000000000', 1).mutate(null)).toThrow(
        TypeError,
      )
    })
  })

  describe('given the hash chain', () => {
    test('then the first event has an empty previous hash and each later one the hash of the one before', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'
      aggregate.createNewExample()
      aggregate.__discard__()
      const events: readonly DomainEvent[] = aggregate.pendingEvents

      expect(events[0]!.previousHash).toBe('')
      for (let i = 1; i < events.length; i++) {
        expect(events[i]!.previousHash).toBe(events[i - 1]!.hash)
      }
      expect(aggregate.lastHash).toBe(events[events.length - 1]!.hash)
    })

    test('then every hash is a SHA-256 of the event contents, distinct per event', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'
      aggregate.foo = 'bar2'
      const events = aggregate.pendingEvents

      for (const event of events) {
        expect(event.hash).toMatch(/^[0-9a-f]{64}$/)
        expect(computeEventHash(event)).toBe(event.hash)
      }
      // Same name and value, but a different version and predecessor: a different hash.
      expect(events[1]!.hash).not.toBe(events[2]!.hash)
    })

    test('when an event field is changed afterwards, then its hash no longer matches', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.foo = 'bar2'
      const event = aggregate.pendingEvents[1]!
      const tampered = Object.assign(
        Object.create(Object.getPrototypeOf(event) as object) as object,
        event,
        {
          value: 'bar3',
        },
      )

      expect(computeEventHash(tampered)).not.toBe(event.hash)
    })

    test('when the chain continues after a save, then the next event links to the last saved one', async () => {
      const { saver } = recordingSaver()
      const aggregate = boundAggregate(saver)
      aggregate.foo = 'bar2'
      await aggregate.save()
      const lastSaved = aggregate.lastHash

      aggregate.foo = 'bar3'

      expect(aggregate.pendingEvents[0]!.previousHash).toBe(lastSaved)
    })
  })

  describe('given an aggregate restored from its state (as a snapshot does)', () => {
    test('then it has the same fields and children, no pending events, and accepts new commands', () => {
      const aggregate = createExampleAggregate('bar1')
      aggregate.createNewExample()
      aggregate.foo = 'bar2'

      const restored = restoreAggregate(
        'example#ExampleAggregateRoot',
        aggregateState(aggregate),
      ) as ExampleAggregateRoot

      expect(restored).toBeInstanceOf(ExampleAggregateRoot)
      expect(restored.id).toBe(aggregate.id)
      expect(restored.version).toBe(2)
      expect(restored.foo).toBe('bar2')
      expect(restored.countExamples()).toBe(1)
      expect(restored.pendingEvents).toEqual([])
      restored.foo = 'bar3'
      expect(restored.version).toBe(3)
      expect(restored.pendingEvents[0]!.previousHash).toBe(aggregate.lastHash)
    })
  })
})
