/**
 * The store's key check, through the application's own write path, on memory, SQLite and real
 * Cassandra: recorded on the first write (never holding the key), compared on open, and every
 * write refused on a mismatch or a read-only application, with the store left unchanged.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import {
  AesGcmCipher,
  createMemoryStore,
  createSqliteStore,
  KEY_CHECK_ORIGINATOR_ID,
  KEY_CHECK_TOPIC,
  type KeyCheckState,
  Mapper,
  type Store,
  type StoredRecord,
  WriteRefused,
} from '../electron/eventsourcing'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { createExampleAggregate } from '../electron/example/factory'
import {
  describeWithCassandra,
  dropCassandraTestKeyspace,
  openCassandraTestStore,
  testKeyspace,
} from './cassandraTestStore'

const KEY_A = new Uint8Array(randomBytes(32))
const KEY_B = new Uint8Array(randomBytes(32))

/** Opens the store called `name` (the same data each time it is opened). */
type OpenNamedStore = (name: string) => Promise<Store>

function openApp(store: Store, cipherKey: Uint8Array | undefined, readOnly = false) {
  return new EverythingApplication({
    store,
    cipherKey,
    readOnly,
    snapshotPeriod: 2,
  })
}

async function checkRecord(store: Store): Promise<StoredRecord | undefined> {
  const [record] = await store.snapshots.select(KEY_CHECK_ORIGINATOR_ID)
  return record
}

/** What a refused write must leave as it was: the index, the log and the key check. */
async function fingerprint(store: Store): Promise<string> {
  const log = await store.events.selectLog({ limit: 1000 })
  const check = await checkRecord(store)
  return JSON.stringify({
    aggregates: await store.events.countAggregates(),
    log: log.map((e) => [e.originatorId, e.fromVersion, e.toVersion]),
    check: check ? Buffer.from(check.state).toString('base64') : null,
  })
}

/** Saves a new aggregate with two batches (so a snapshot is due); returns its id. */
async function saveSomething(app: EverythingApplication, foo = 'bar'): Promise<string> {
  const aggregate = app.createExampleAggregate(foo)
  await aggregate.save()
  aggregate.foo = `${foo} again`
  await aggregate.save()
  return aggregate.id
}

async function expectRefused(
  open: OpenNamedStore,
  name: string,
  key: Uint8Array | undefined,
  state: KeyCheckState | 'read-only',
): Promise<void> {
  const store = await open(name)
  const app = openApp(store, key, state === 'read-only')
  try {
    const before = await fingerprint(store)
    if (state !== 'read-only') expect((await app.keyCheck.evaluate()).state).toBe(state)
    const aggregate = app.createExampleAggregate('must not land')
    const refused = await aggregate.save().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(WriteRefused)
    expect((refused as WriteRefused).reason).toBe(state)
    // Nothing reaches the store through the snapshots table either.
    await expect(
      app.snapshotStrategy!.put({
        originatorId: aggregate.id,
        originatorVersion: 0,
        timestamp: new Date(),
        topic: 'example#ExampleAggregateRoot',
        state: {},
      }),
    ).rejects.toBeInstanceOf(WriteRefused)
    expect(await store.events.select(aggregate.id)).toEqual([])
    expect(await fingerprint(store)).toBe(before)
  } finally {
    await app.close()
  }
}

function keyCheckSuite(open: OpenNamedStore): void {
  test('the first write with a key records a sealed check that never holds the key', async () => {
    const store = await open('encrypted')
    const app = openApp(store, KEY_A)
    try {
      expect(await app.keyCheck.evaluate()).toEqual({ state: 'new-store', basis: 'empty-store' })
      await saveSomething(app)
      expect(app.keyCheck.current).toEqual({ state: 'verified', basis: 'check-record' })
      const record = await checkRecord(store)
      expect(record).toMatchObject({ originatorVersion: 0, topic: KEY_CHECK_TOPIC })
      expect(Mapper.isEncrypted(record!)).toBe(true)
      const bytes = Buffer.from(record!.state)
      for (const secret of [
        Buffer.from(KEY_A),
        Buffer.from(Buffer.from(KEY_A).toString('base64')),
        createHash('sha256').update(KEY_A).digest(),
      ]) {
        expect(bytes.includes(secret)).toBe(false)
      }
      // It is not an aggregate: no listing shows it.
      const listed = await store.events.listAggregates({ limit: 100 })
      expect(listed.items.map((a) => a.originatorId)).not.toContain(KEY_CHECK_ORIGINATOR_ID)
    } finally {
      await app.close()
    }
    // The same key again: verified from the record.
    const again = openApp(await open('encrypted'), KEY_A)
    try {
      expect(await again.keyCheck.evaluate()).toEqual({ state: 'verified', basis: 'check-record' })
      await saveSomething(again, 'more')
    } finally {
      await again.close()
    }
  })

  test('no key or a wrong key for an encrypted store: every write is refused, nothing changes', async () => {
    await expectRefused(open, 'encrypted', KEY_B, 'wrong-key')
    await expectRefused(open, 'encrypted', undefined, 'missing-key')
    await expectRefused(open, 'encrypted', new Uint8Array(randomBytes(16)), 'wrong-key')
  })

  test('a key for a plain store is refused; the plain store keeps a plain marker', async () => {
    const store = await open('plain')
    const app = openApp(store, undefined)
    try {
      await saveSomething(app)
      const record = await checkRecord(store)
      expect(record && Mapper.isEncrypted(record)).toBe(false)
    } finally {
      await app.close()
    }
    await expectRefused(open, 'plain', KEY_A, 'unexpected-key')
  })

  test('a read-only application writes nothing, whatever its key', async () => {
    await expectRefused(open, 'encrypted', KEY_A, 'read-only')
  })

  test('a store from before key checks: told from its oldest event, then checked on the first write', async () => {
    const store = await open('legacy')
    // Written as the library did before key checks: events only.
    const mapper = new Mapper({ cipher: new AesGcmCipher(KEY_A) })
    const legacy = createExampleAggregate('legacy')
    legacy.foo = 'legacy 2'
    await store.events.insert(legacy.collectEvents().map((e) => mapper.eventToRecord(e)))
    await store.close()

    const expectations: Array<[Uint8Array | undefined, KeyCheckState]> = [
      [KEY_B, 'wrong-key'],
      [undefined, 'missing-key'],
      [KEY_A, 'inferred'],
    ]
    for (const [key, state] of expectations) {
      const app = openApp(await open('legacy'), key)
      try {
        expect(await app.keyCheck.evaluate()).toEqual({ state, basis: 'stored-event' })
      } finally {
        await app.close()
      }
    }
    await expectRefused(open, 'legacy', KEY_B, 'wrong-key')

    const app = openApp(await open('legacy'), KEY_A)
    try {
      expect(await checkRecord(app.store)).toBeUndefined()
      await saveSomething(app)
      expect(app.keyCheck.current).toEqual({ state: 'verified', basis: 'check-record' })
      expect(await checkRecord(app.store)).toBeDefined()
    } finally {
      await app.close()
    }
    await expectRefused(open, 'legacy', KEY_B, 'wrong-key')
  })

  test('racing first writers with different keys: one check wins, the other writer is refused', async () => {
    const [storeA, storeB] = [await open('race'), await open('race')]
    const a = openApp(storeA, KEY_A)
    const b = openApp(storeB, KEY_B)
    try {
      expect((await a.keyCheck.evaluate()).state).toBe('new-store')
      expect((await b.keyCheck.evaluate()).state).toBe('new-store')
      const results = await Promise.allSettled([saveSomething(a, 'a'), saveSomething(b, 'b')])
      const won = results.filter((r) => r.status === 'fulfilled')
      const lost = results.filter((r) => r.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(1)
      expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(WriteRefused)
      const winner = results[0]!.status === 'fulfilled' ? a : b
      const loser = winner === a ? b : a
      expect(winner.keyCheck.current?.state).toBe('verified')
      expect(loser.keyCheck.current?.state).toBe('wrong-key')
      // Only the winner's aggregate is stored.
      expect(await storeA.events.countAggregates()).toBe(1)
    } finally {
      await a.close()
      await b.close()
    }
  })
}

describe('key check on memory', () => {
  const stores = new Map<string, Store>()
  keyCheckSuite(async (name) => {
    let store = stores.get(name)
    if (!store) stores.set(name, (store = createMemoryStore()))
    return store
  })
})

describe('key check on SQLite', () => {
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-keycheck-'))
  keyCheckSuite(async (name) => createSqliteStore(join(folder, `${name}.sqlite`)))
})

await describeWithCassandra('key check on Cassandra', () => {
  // One keyspace per store name: a key check belongs to the whole store.
  const keyspaces = new Set<string>()
  afterAll(async () => {
    for (const keyspace of keyspaces) await dropCassandraTestKeyspace(keyspace)
  }, 120_000)
  keyCheckSuite(async (name) => {
    const keyspace = `${testKeyspace}_${name}`
    keyspaces.add(keyspace)
    return openCassandraTestStore({ keyspace })
  })
})
