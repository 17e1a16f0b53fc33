import { describe, expect, test } from 'vitest'
import { EverythingApplication } from '../../example/everythingApplication'
import type { ExampleAggregateRoot } from '../../example/exampleAggregateRoot'
import { createExampleAggregate } from '../../example/factory'
import { SEED_CIPHER_KEY } from '../../example/seedSettings'
import { ConfigurationError } from '../errors'
import type { Store } from '../persistence/recorder'
import { createMemoryStore } from '../persistence/recorders/memory'
import { openApp } from '../../../test/applicationTestKit'

describe('Application', () => {
  test('given two applications, then an aggregate loaded by one saves through that one only', async () => {
    await using one = openApp()
    await using two = openApp()
    const created = one.createExampleAggregate('in one')
    await created.save()

    const loaded = await one.repository.get<ExampleAggregateRoot>(created.id)
    loaded.foo = 'changed in one'
    await loaded.save()

    expect((await one.repository.get<ExampleAggregateRoot>(created.id)).foo).toBe('changed in one')
    expect(await two.repository.has(created.id)).toBe(false)
  })

  test('given two applications, then each stores only its own aggregates', async () => {
    await using one = openApp()
    await using two = openApp()

    const aggregate = one.createExampleAggregate('only in one')
    await aggregate.save()

    expect(await one.repository.has(aggregate.id)).toBe(true)
    expect(await two.repository.has(aggregate.id)).toBe(false)
  })

  test('given `await using`, when the block ends, then the application is closed and tells its listeners nothing more', async () => {
    const store = createMemoryStore()
    let storeClosed = 0
    const tracked: Store = { ...store, close: async () => void storeClosed++ }
    const told: number[] = []
    const kept = createExampleAggregate('kept')

    {
      await using app = new EverythingApplication({ store: tracked })
      app.subscribe((events) => void told.push(events.length))
      expect(storeClosed).toBe(0)
      await app.createExampleAggregate('inside').save()
      kept.bindSaver(app)
    }

    expect(storeClosed).toBe(1)
    expect(told).toEqual([1])
    // Closed: the listeners were dropped (the memory store itself still answers).
    await kept.save()
    expect(told).toEqual([1])
  })

  test('given a closed application, when it is closed again, then the store is not closed twice', async () => {
    let storeClosed = 0
    const app = new EverythingApplication({
      store: { ...createMemoryStore(), close: async () => void storeClosed++ },
    })

    await app.close()
    await app.close()

    expect(storeClosed).toBe(1)
  })

  test('given a snapshot period that cannot work, when the application is opened, then it fails', async () => {
    expect(
      () => new EverythingApplication({ store: createMemoryStore(), snapshotPeriod: 1.5 }),
    ).toThrow(RangeError)

    await using app = new EverythingApplication({ store: createMemoryStore() })
    expect(app.snapshotPeriod).toBe(2)
  })

  test('given a cipher key of a wrong length, when the application is opened, then ConfigurationError is raised', async () => {
    expect(
      () =>
        new EverythingApplication({
          store: createMemoryStore(),
          cipherKey: new Uint8Array(10),
        }),
    ).toThrow(ConfigurationError)

    await using app = new EverythingApplication({ store: createMemoryStore() })
    expect(app.encrypted).toBe(false)
  })

  test('given a cipher key, then events are stored encrypted and read back in clear', async () => {
    await using app = openApp({ cipherKey: SEED_CIPHER_KEY })
    const aggregate = app.createExampleAggregate('secret info')
    await aggregate.save()

    const [record] = await app.store.events.select(aggregate.id)

    expect(app.encrypted).toBe(true)
    expect(Buffer.from(record!.state).includes(Buffer.from('secret info'))).toBe(false)
    expect((await app.repository.get<ExampleAggregateRoot>(aggregate.id)).foo).toBe('secret info')
  })

  test('given an unbound aggregate, when app.save stores it, then its own save() goes to that application next', async () => {
    await using app = openApp()
    const aggregate = createExampleAggregate('saved by the app')

    await app.save(aggregate)
    aggregate.foo = 'saved by itself'
    await aggregate.save()

    const loaded = await app.repository.get<ExampleAggregateRoot>(aggregate.id)
    expect(loaded.foo).toBe('saved by itself')
    expect(loaded.version).toBe(1)
  })

  test('given an unbound aggregate, when its own save() is called, then it throws and nothing is stored', async () => {
    await using app = openApp()
    const aggregate = createExampleAggregate('lost')

    await expect(aggregate.save()).rejects.toThrow(/app\.save\(aggregate\)/)

    expect(await app.repository.has(aggregate.id)).toBe(false)
    expect(aggregate.pendingEvents).toHaveLength(1)
  })
})
