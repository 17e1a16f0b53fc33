/**
 * Read queries on both stores through `dispatch`: aggregate types, the aggregate list, an
 * aggregate at a version, its events and raw records.
 */
import { inflateSync } from 'node:zlib'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import {
  closeOpenServices,
  connected,
  createExample,
  run,
  seededAggregate,
  setFoo,
  stateOf,
  UUID_A,
  walkthroughAggregate,
  dropServiceKeyspaces,
  serviceStores,
} from './serviceTesting'

afterEach(closeOpenServices)
afterAll(dropServiceKeyspaces)

describe.each(await serviceStores())('queries on the %s store', (kind) => {
  test('listAggregateTypes lists the registered aggregate classes only', async () => {
    const h = await connected(kind)

    const types = await h.ok('listAggregateTypes', {})

    const topics = types.map((t) => t.topic)
    expect(topics).toContain('example#ExampleAggregateRoot')
    expect(topics.some((t) => t.includes('.'))).toBe(false)
  })

  test('listAggregates pages, filters by prefix and type, and flags discarded ones', async () => {
    const h = await connected(kind)
    await h.ok('seedDemoData', { aggregates: 12, events: 3, taskId: 'seed' })

    const seen: string[] = []
    let pageToken: string | undefined
    let pages = 0
    do {
      const page = await h.ok('listAggregates', { limit: 5, ...(pageToken ? { pageToken } : {}) })
      expect(page.total).toBe(12)
      seen.push(...page.items.map((a) => a.id))
      pageToken = page.nextPageToken
      pages += 1
    } while (pageToken)
    // Our stores keep a counter: the pages carry the total, and countAggregates says the same.
    expect(await h.ok('countAggregates', {})).toEqual({ total: 12 })
    expect(pages).toBe(3)
    expect(new Set(seen).size).toBe(12)

    await run(h, seen[3]!, { name: 'discard' })
    const byId = await h.ok('listAggregates', { limit: 500, order: 'id' })
    expect(byId.items.map((a) => a.id)).toEqual([...seen].sort())
    const discarded = byId.items.filter((a) => a.discarded)
    expect(discarded).toMatchObject([{ id: seen[3], version: 3 }])

    const someId = seen[4]!
    const prefixed = await h.ok('listAggregates', { idPrefix: someId.slice(0, 8).toUpperCase() })
    expect(prefixed.items.map((a) => a.id)).toContain(someId)
    expect(prefixed.items.every((a) => a.id.startsWith(someId.slice(0, 8)))).toBe(true)

    expect(
      (await h.ok('listAggregates', { type: 'example#ExampleAggregateRoot' })).items,
    ).toHaveLength(12)
    expect((await h.ok('listAggregates', { type: 'example#Nothing' })).items).toHaveLength(0)
    expect((await h.fail('listAggregates', { pageToken: 'garbage!' })).code).toBe('ValidationError')
  })

  test('getAggregate at each version reports the snapshot it started from and the events replayed', async () => {
    const h = await connected(kind)
    const id = await walkthroughAggregate(h)
    // Period 2: snapshots at versions 1, 3, 5 and 7 (7 is the discard, state null).
    const expected = [
      { at: 0, foo: 'bar1', snapshot: undefined, replayed: 1 },
      { at: 1, foo: 'bar2', snapshot: 1, replayed: 0 },
      { at: 2, foo: 'bar3', snapshot: 1, replayed: 1 },
      { at: 3, foo: 'bar4', snapshot: 3, replayed: 0 },
      { at: 4, foo: 'bar5', snapshot: 3, replayed: 1 },
      { at: 5, foo: 'bar6', snapshot: 5, replayed: 0 },
      { at: 6, foo: 'bar7', snapshot: 5, replayed: 1 },
    ]
    for (const e of expected) {
      const view = await h.ok('getAggregate', { id, at: e.at })
      expect(view.version, `at ${e.at}`).toBe(e.at)
      expect(stateOf(view.state)['_foo'], `at ${e.at}`).toBe(e.foo)
      expect(view.loadedFromSnapshot, `at ${e.at}`).toBe(e.snapshot)
      expect(view.eventsReplayed, `at ${e.at}`).toBe(e.replayed)
      expect(view).toMatchObject({
        id,
        type: 'example#ExampleAggregateRoot',
        latestVersion: 7,
        discarded: false,
        encrypted: true,
      })
      expect(view.hashChain.status).toBe('verified')
    }

    const latest = await h.ok('getAggregate', { id })
    expect(latest).toMatchObject({
      version: 7,
      discarded: true,
      state: null,
      loadedFromSnapshot: 7,
      eventsReplayed: 0,
    })
    expect(Date.parse(latest.createdOn!)).toBeLessThanOrEqual(Date.parse(latest.lastModified!))

    expect((await h.fail('getAggregate', { id, at: 8 })).code).toBe('AggregateNotFound')
    expect((await h.fail('getAggregate', { id: UUID_A })).code).toBe('AggregateNotFound')
  })

  test('child entities are shown as typed objects', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'x', { name: 'createExample' })

    const view = await h.ok('getAggregate', { id })

    const examples = stateOf(view.state)['_examples']
    expect(examples).toMatchObject({ '@': 'map' })
    const entities = Object.values(stateOf(stateOf(examples)['entries']))
    expect(entities).toHaveLength(1)
    expect(entities[0]).toMatchObject({ '@': 'instance', type: 'example#Example' })
    expect(stateOf(stateOf(entities[0])['fields'])['_id']).toMatchObject({
      '@': 'uuid',
      v: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
    })
  })

  test('listEvents pages by version and filters by text and type on 2,500 events', async () => {
    const h = await connected(kind, { snapshotPeriod: 100 })
    const id = await seededAggregate(h, 2500)

    const first = await h.ok('listEvents', { id, limit: 1000 })
    expect(first.items.map((e) => e.version)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
    expect(first).toMatchObject({ nextFromVersion: 1000, latestVersion: 2499, scanned: 1000 })
    expect(first.items[0]).toMatchObject({
      type: 'Created',
      topic: 'example#ExampleAggregateRoot.Created',
      previousHash: '',
    })
    expect(first.items[1]!.previousHash).toBe(first.items[0]!.hash)
    const second = await h.ok('listEvents', { id, fromVersion: 1000, limit: 1000 })
    const third = await h.ok('listEvents', { id, fromVersion: 2000, limit: 1000 })
    expect(second.items[0]!.version).toBe(1000)
    expect(third.items).toHaveLength(500)
    expect(third.nextFromVersion).toBeUndefined()

    // The example's demo data: step v sets foo to `bar<v>`, every fifth creates an Example.
    const one = await h.ok('listEvents', { id, search: 'BAR1234' })
    expect(one.items.map((e) => e.version)).toEqual([1234])
    expect(one.items[0]!.payload).toMatchObject({ name: '_foo', value: 'bar1234' })
    expect(one.scanned).toBe(2500)
    expect(one.nextFromVersion).toBeUndefined()

    const many = await h.ok('listEvents', { id, search: 'bar1', limit: 50 })
    expect(many.items).toHaveLength(50)
    expect(many.nextFromVersion).toBe(many.items[49]!.version + 1)
    const more = await h.ok('listEvents', {
      id,
      search: 'bar1',
      limit: 50,
      fromVersion: many.nextFromVersion!,
    })
    expect(more.items[0]!.version).toBeGreaterThan(many.items[49]!.version)

    const created = await h.ok('listEvents', { id, types: ['ExampleCreated'], limit: 1000 })
    expect(created.items).toHaveLength(499)
    expect(created.items.every((e) => e.type === 'ExampleCreated')).toBe(true)
    const both = await h.ok('listEvents', {
      id,
      types: ['AttributeChanged', 'Created'],
      search: 'bar24',
      limit: 1000,
    })
    const range = (from: number, n: number): number[] =>
      Array.from({ length: n }, (_, i) => from + i).filter((v) => v % 5 !== 0)
    expect(both.items.map((e) => e.version)).toEqual([24, ...range(240, 10), ...range(2400, 100)])

    // Where histories start is reported, not left to the reader: version 0 in our stores.
    expect((await h.ok('listEvents', { id, limit: 1 })).firstVersion).toBe(0)
    expect(await h.ok('listEvents', { id: UUID_A })).toEqual({
      items: [],
      latestVersion: -1,
      firstVersion: 0,
      scanned: 0,
    })
  })

  test('a filtered listEvents stops at its scan budget and says where to continue', async () => {
    const h = await connected(kind, { scanBudget: 1000, snapshotPeriod: 0 })
    const id = await seededAggregate(h, 2500)

    const page = await h.ok('listEvents', { id, search: 'no such text' })

    expect(page).toMatchObject({ items: [], scanned: 1000, nextFromVersion: 1000 })
    const next = await h.ok('listEvents', { id, search: 'no such text', fromVersion: 1000 })
    expect(next.nextFromVersion).toBe(2000)
    const last = await h.ok('listEvents', { id, search: 'no such text', fromVersion: 2000 })
    expect(last).toMatchObject({ scanned: 500 })
    expect(last.nextFromVersion).toBeUndefined()
  })

  test('getRawRecord shows the stored bytes, and no plaintext when encrypted', async () => {
    const h = await connected(kind)
    const id = await createExample(h, 'secret info', setFoo('more secret info'))

    const raw = await h.ok('getRawRecord', { id, version: 0 })
    const bytes = Buffer.from(raw.stateBase64, 'base64')
    expect(raw).toMatchObject({
      originatorId: id,
      originatorVersion: 0,
      topic: 'example#ExampleAggregateRoot.Created',
      encrypted: true,
      byteLength: bytes.length,
    })
    expect(bytes.toString('latin1')).not.toContain('secret')
    const snapshot = await h.ok('getRawRecord', { id, version: 1, kind: 'snapshot' })
    expect(snapshot.encrypted).toBe(true)
    expect(Buffer.from(snapshot.stateBase64, 'base64').toString('latin1')).not.toContain('secret')
    expect((await h.fail('getRawRecord', { id, version: 5 })).code).toBe('AggregateNotFound')
  })

  test('given no key, then the raw record is compressed plaintext (the encrypted case above is not vacuous)', async () => {
    const h = await connected(kind, { cipherKey: undefined })
    const id = await createExample(h, 'secret info')

    const raw = await h.ok('getRawRecord', { id, version: 0 })

    expect(raw.encrypted).toBe(false)
    const bytes = Buffer.from(raw.stateBase64, 'base64')
    // The first byte says how the rest is encoded: bit 0 = zlib (small states are left as they are).
    const body = (bytes[0]! & 1) === 1 ? inflateSync(bytes.subarray(1)) : bytes.subarray(1)
    expect(body.toString('utf8')).toContain('secret info')
  })
})
