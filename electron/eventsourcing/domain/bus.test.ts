import { describe, expect, test } from 'vitest'
import { EventBus } from './bus'

const always = (): boolean => true
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('EventBus', () => {
  describe('given handlers with predicates', () => {
    test('when a message is published, then only handlers whose predicate accepts it receive it', async () => {
      const bus = new EventBus<number>()
      const evens: number[] = []
      const odds: number[] = []
      bus.subscribe(
        (n) => n % 2 === 0,
        (n) => void evens.push(n),
      )
      bus.subscribe(
        (n) => n % 2 === 1,
        (n) => void odds.push(n),
      )

      for (const n of [1, 2, 3, 4, 5]) await bus.publish(n)

      expect(evens).toEqual([2, 4])
      expect(odds).toEqual([1, 3, 5])
    })

    test('when no predicate accepts a message, then publishing it succeeds and nobody is called', async () => {
      const bus = new EventBus<string>()
      const seen: string[] = []
      bus.subscribe(
        (s) => s.startsWith('x'),
        (s) => void seen.push(s),
      )

      await expect(bus.publish('hello')).resolves.toBeUndefined()

      expect(seen).toEqual([])
    })

    test('when nobody has subscribed, then publishing does nothing and does not fail', async () => {
      const bus = new EventBus<string>()
      expect(bus.size).toBe(0)
      await expect(bus.publish('anything')).resolves.toBeUndefined()
    })
  })

  describe('given several handlers', () => {
    test('when a message is published, then they run in subscription order', async () => {
      const bus = new EventBus<string>()
      const calls: string[] = []
      bus.subscribe(always, () => void calls.push('first'))
      bus.subscribe(always, () => void calls.push('second'))
      bus.subscribe(always, () => void calls.push('third'))

      await bus.publish('m')

      expect(calls).toEqual(['first', 'second', 'third'])
    })

    test('when the first handler is slow and async, then it finishes before the second starts', async () => {
      const bus = new EventBus<string>()
      const log: string[] = []
      bus.subscribe(always, async () => {
        log.push('slow start')
        await delay(30)
        log.push('slow end')
      })
      bus.subscribe(always, () => void log.push('second'))

      await bus.publish('m')

      expect(log).toEqual(['slow start', 'slow end', 'second'])
    })

    test('when publish resolves, then every async handler has finished', async () => {
      const bus = new EventBus<string>()
      let finished = false
      bus.subscribe(always, async () => {
        await delay(20)
        finished = true
      })

      await bus.publish('m')

      expect(finished).toBe(true)
    })

    test('when a handler subscribes another during a publication, then the new one hears only later messages', async () => {
      const bus = new EventBus<string>()
      const late: string[] = []
      let added = false
      bus.subscribe(always, () => {
        if (!added) {
          added = true
          bus.subscribe(always, (m) => void late.push(m))
        }
      })

      await bus.publish('first')
      await bus.publish('second')

      expect(late).toEqual(['second'])
    })
  })

  describe('given a subscription that is removed', () => {
    test('when unsubscribed with the function subscribe returned, then the handler no longer receives messages', async () => {
      const bus = new EventBus<string>()
      const seen: string[] = []
      const unsubscribe = bus.subscribe(always, (m) => void seen.push(m))

      await bus.publish('before')
      unsubscribe()
      await bus.publish('after')

      expect(seen).toEqual(['before'])
      expect(bus.size).toBe(0)
    })

    test('when unsubscribed by predicate and handler, then only that subscription is removed', async () => {
      const bus = new EventBus<string>()
      const a: string[] = []
      const b: string[] = []
      const handlerA = (m: string): void => void a.push(m)
      bus.subscribe(always, handlerA)
      bus.subscribe(always, (m) => void b.push(m))

      bus.unsubscribe(always, handlerA)
      await bus.publish('m')

      expect(a).toEqual([])
      expect(b).toEqual(['m'])
      expect(bus.size).toBe(1)
    })

    test('when unsubscribing with a different predicate, then the subscription stays', async () => {
      const bus = new EventBus<string>()
      const seen: string[] = []
      const handler = (m: string): void => void seen.push(m)
      bus.subscribe(always, handler)

      bus.unsubscribe(() => true, handler)
      await bus.publish('m')

      expect(seen).toEqual(['m'])
    })
  })

  describe('given a handler that throws', () => {
    test('when it throws synchronously, then the error reaches the publisher and later handlers do not run', async () => {
      const bus = new EventBus<string>()
      const calls: string[] = []
      bus.subscribe(always, () => void calls.push('before'))
      bus.subscribe(always, () => {
        throw new Error('boom')
      })
      bus.subscribe(always, () => void calls.push('after'))

      await expect(bus.publish('m')).rejects.toThrow('boom')

      expect(calls).toEqual(['before'])
    })

    test('when its promise rejects, then the rejection reaches the publisher and later handlers do not run', async () => {
      const bus = new EventBus<string>()
      const calls: string[] = []
      class StoreDown extends Error {}
      bus.subscribe(always, async () => {
        await delay(5)
        throw new StoreDown('store down')
      })
      bus.subscribe(always, () => void calls.push('after'))

      await expect(bus.publish('m')).rejects.toBeInstanceOf(StoreDown)

      expect(calls).toEqual([])
    })

    test('when a later message is published, then the bus still works', async () => {
      const bus = new EventBus<string>()
      const seen: string[] = []
      bus.subscribe(always, (m) => {
        if (m === 'bad') throw new Error('bad message')
        seen.push(m)
      })

      await expect(bus.publish('bad')).rejects.toThrow('bad message')
      await bus.publish('good')

      expect(seen).toEqual(['good'])
    })
  })
})
