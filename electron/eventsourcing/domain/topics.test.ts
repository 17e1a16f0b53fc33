import { describe, expect, test } from 'vitest'
import { TopicNotFound } from '../errors'
import { TopicRegistry, aggregateTopicOfEventTopic } from './topics'

class Thing {}
class OtherThing {}
class ThingCreated {}
class ThingRenamed {}

describe('TopicRegistry', () => {
  describe('given a registered class', () => {
    test('when its topic is resolved, then the same class comes back', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(registry.resolve('test#Thing')).toBe(Thing)
      expect(registry.has('test#Thing')).toBe(true)
    })

    test('when asked for the topic of the class, then the registered name comes back', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(registry.topicOf(Thing)).toBe('test#Thing')
    })

    test('when asked for the topic of an instance, then the class topic comes back', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(registry.topicOfInstance(new Thing())).toBe('test#Thing')
      expect(registry.topicOfInstance(new OtherThing())).toBeUndefined()
    })

    test('when the same class is registered again under the same topic, then nothing changes', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(() => registry.register('test#Thing', Thing)).not.toThrow()
      expect(registry.resolve('test#Thing')).toBe(Thing)
      expect(registry.topicsList()).toEqual(['test#Thing'])
    })
  })

  describe('given nothing registered under a name', () => {
    test('when the topic is resolved, then TopicNotFound names the topic', () => {
      const registry = new TopicRegistry()

      const error = (() => {
        try {
          registry.resolve('test#Missing')
        } catch (e) {
          return e
        }
        return undefined
      })()

      expect(error).toBeInstanceOf(TopicNotFound)
      expect((error as TopicNotFound).topic).toBe('test#Missing')
      expect((error as TopicNotFound).code).toBe('TopicNotFound')
      expect((error as Error).message).toContain('test#Missing')
      expect(registry.has('test#Missing')).toBe(false)
    })

    test('when the topic of an unregistered class is asked for, then TopicNotFound names the class', () => {
      const registry = new TopicRegistry()

      expect(() => registry.topicOf(OtherThing)).toThrow(TopicNotFound)
      expect(() => registry.topicOf(OtherThing)).toThrow(/OtherThing/)
    })
  })

  describe('given conflicting registrations', () => {
    test('when another class claims a taken topic, then it is refused and the first class keeps it', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(() => registry.register('test#Thing', OtherThing)).toThrow(/already registered/)
      expect(registry.resolve('test#Thing')).toBe(Thing)
      expect(registry.topicOfInstance(new OtherThing())).toBeUndefined()
    })

    test('when a registered class is registered under a second topic, then it is refused', () => {
      const registry = new TopicRegistry()
      registry.register('test#Thing', Thing)

      expect(() => registry.register('test#Renamed', Thing)).toThrow(
        /already registered as 'test#Thing'/,
      )
      expect(registry.has('test#Renamed')).toBe(false)
      expect(registry.topicOf(Thing)).toBe('test#Thing')
    })
  })

  describe('given an aggregate registered with its events', () => {
    test('when it is registered, then each event is named <aggregate topic>.<event name>', () => {
      const registry = new TopicRegistry()
      registry.registerAggregate('test#Thing', Thing, {
        Created: ThingCreated,
        Renamed: ThingRenamed,
      })

      expect(registry.resolve('test#Thing')).toBe(Thing)
      expect(registry.resolve('test#Thing.Created')).toBe(ThingCreated)
      expect(registry.topicOf(ThingRenamed)).toBe('test#Thing.Renamed')
      expect(registry.topicsList().sort()).toEqual([
        'test#Thing',
        'test#Thing.Created',
        'test#Thing.Renamed',
      ])
    })

    test('when the aggregate topic is derived from an event topic, then the event name is dropped', () => {
      expect(aggregateTopicOfEventTopic('example#ExampleAggregateRoot.AttributeChanged')).toBe(
        'example#ExampleAggregateRoot',
      )
      expect(aggregateTopicOfEventTopic('a.b#Root.Created')).toBe('a.b#Root')
      expect(aggregateTopicOfEventTopic('plain')).toBe('plain')
      // A leading dot names no aggregate: the topic is kept whole, never cut to ''.
      expect(aggregateTopicOfEventTopic('.Created')).toBe('.Created')
    })
  })

  describe('given two registries', () => {
    test('when a class is registered in one, then the other does not know it', () => {
      const one = new TopicRegistry()
      const two = new TopicRegistry()
      one.register('test#Thing', Thing)

      expect(two.has('test#Thing')).toBe(false)
      expect(() => two.topicOf(Thing)).toThrow(TopicNotFound)
    })
  })
})
