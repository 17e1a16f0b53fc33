import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { TopicRegistry } from '../domain/topics'
import { TopicNotFound, WriteRefused } from '../errors'
import { AesGcmCipher } from './cipher'
import {
  describeKeyCheck,
  guardWrites,
  isKeyMismatch,
  KeyCheck,
  KEY_CHECK_ORIGINATOR_ID,
  KEY_CHECK_TOPIC,
  type KeyCheckState,
} from './keyCheck'
import { Mapper } from './mapper'
import type { Store, StoredRecord } from './recorder'
import { Client } from './recorders/cassandra/driver'
import { CassandraAggregateRecorder } from './recorders/cassandra/records'
import { CassandraSession } from './recorders/cassandra/session'
import { createMemoryStore } from './recorders/memory'
import { createSqliteStore } from './recorders/sqlite'

const opened: Store[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

const makers: ReadonlyArray<readonly [string, () => Store]> = [
  ['memory', () => createMemoryStore()],
  ['sqlite', () => createSqliteStore(join(mkdtempSync(join(tmpdir(), 'keycheck-')), 'k.sqlite'))],
]

const keyA = new AesGcmCipher(randomBytes(32))
const keyB = new AesGcmCipher(randomBytes(32))
const plain = (): Mapper => new Mapper()
const withKey = (cipher: AesGcmCipher): Mapper => new Mapper({ cipher })

function eventOf(mapper: Mapper, id: string = randomUUID(), version = 1): StoredRecord {
  return mapper.toRecord(id, version, 'example#Thing.Created', { name: 'secret' })
}

const checkRecords = (store: Store): Promise<StoredRecord[]> =>
  store.snapshots.select(KEY_CHECK_ORIGINATOR_ID)

describe('the key check record on disk', () => {
  test('when the first write is checked, then the check sits at the nil id, version 0, under its topic, holding the constant', async () => {
    const store = createMemoryStore()
    const check = new KeyCheck(store, plain())
    await check.beforeWrite()
    const records = await checkRecords(store)
    // The id, topic and constant are a stored format: stores written earlier hold exactly these.
    expect(KEY_CHECK_ORIGINATOR_ID).toBe('00000000-0000-0000-0000-000000000000')
    expect(KEY_CHECK_TOPIC).toBe('eventsourcing#KeyCheck')
    expect(records.map((r) => [r.originatorId, r.originatorVersion, r.topic])).toEqual([
      [KEY_CHECK_ORIGINATOR_ID, 0, KEY_CHECK_TOPIC],
    ])
    expect(plain().decodeState(records[0]!)).toEqual({ check: 'eventscope key check v1' })
  })
})

describe('isKeyMismatch and describeKeyCheck', () => {
  test('then exactly the missing, wrong and unexpected key states are mismatches', () => {
    const states: KeyCheckState[] = [
      'verified',
      'new-store',
      'inferred',
      'missing-key',
      'wrong-key',
      'unexpected-key',
    ]
    expect(states.filter(isKeyMismatch)).toEqual(['missing-key', 'wrong-key', 'unexpected-key'])
  })

  test('then each state has its own words, and a state told from an old event says so', () => {
    const text = (state: KeyCheckState, basis: 'check-record' | 'stored-event'): string =>
      describeKeyCheck({ state, basis })
    expect(text('verified', 'check-record')).toBe(
      'The cipher key matches the key this store was written with.',
    )
    expect(text('new-store', 'check-record')).toBe(
      'The store is empty: the first save records which key it uses.',
    )
    expect(text('inferred', 'stored-event')).toBe(
      'The store predates key checks; its oldest event reads with this key setting. The next save records the key check.',
    )
    expect(text('missing-key', 'check-record')).toBe(
      "This store is encrypted, but no cipher key is set. Enter the store's key to read its events and to write.",
    )
    expect(text('missing-key', 'stored-event')).toBe(
      "This store is encrypted, but no cipher key is set (its oldest event is encrypted). Enter the store's key to read its events and to write.",
    )
    expect(text('wrong-key', 'check-record')).toBe(
      'This is not the key this store was written with. Enter the right key to read its events and to write.',
    )
    expect(text('wrong-key', 'stored-event')).toBe(
      "This key does not open the store's oldest event: it is the wrong key (or that record is damaged). Enter the store's key.",
    )
    expect(text('unexpected-key', 'check-record')).toBe(
      'This store is not encrypted, but a cipher key is set. Forget the key to write to it; writing with a key would mix encrypted and plain events.',
    )
    expect(text('unexpected-key', 'stored-event')).toBe(
      'This store is not encrypted, but a cipher key is set (its oldest event is plain). Forget the key to write to it; writing with a key would mix encrypted and plain events.',
    )
  })
})

describe.each(makers)('KeyCheck on a %s store', (_name, make) => {
  const open = (): Store => {
    const store = make()
    opened.push(store)
    return store
  }

  test('when nothing is stored, then it is a new store, and current tells the last result', async () => {
    const check = new KeyCheck(open(), withKey(keyA))
    expect(check.current).toBeUndefined()
    const result = await check.evaluate()
    expect(result).toEqual({ state: 'new-store', basis: 'empty-store' })
    expect(check.current).toEqual(result)
  })

  test.each([
    ['the same key', () => withKey(keyA), () => withKey(keyA), 'verified'],
    ['another key', () => withKey(keyA), () => withKey(keyB), 'wrong-key'],
    ['no key', () => withKey(keyA), plain, 'missing-key'],
    ['a key on a plain store', plain, () => withKey(keyA), 'unexpected-key'],
    ['no key on a plain store', plain, plain, 'verified'],
  ] as const)(
    'when the check was recorded and the store is opened with %s, then the check record tells %s',
    async (_case, writer, reader, state) => {
      const store = open()
      await new KeyCheck(store, writer()).beforeWrite()
      expect(await new KeyCheck(store, reader()).evaluate()).toEqual({
        state,
        basis: 'check-record',
      })
    },
  )

  test.each([
    ['the same key', () => withKey(keyA), () => withKey(keyA), 'inferred'],
    ['another key', () => withKey(keyA), () => withKey(keyB), 'wrong-key'],
    ['no key', () => withKey(keyA), plain, 'missing-key'],
    ['a key on a plain store', plain, () => withKey(keyA), 'unexpected-key'],
    ['no key on a plain store', plain, plain, 'inferred'],
  ] as const)(
    'when a store from before key checks is opened with %s, then its oldest event tells %s',
    async (_case, writer, reader, state) => {
      const store = open()
      await store.events.insert([eventOf(writer())])
      expect(await new KeyCheck(store, reader()).evaluate()).toEqual({
        state,
        basis: 'stored-event',
      })
    },
  )

  test('when a check record holds another value under the right key, then it is the wrong key', async () => {
    const store = open()
    const mapper = withKey(keyA)
    await store.snapshots.insert([
      mapper.toRecord(KEY_CHECK_ORIGINATOR_ID, 0, KEY_CHECK_TOPIC, { check: 'something else' }),
    ])
    expect(await new KeyCheck(store, mapper).evaluate()).toEqual({
      state: 'wrong-key',
      basis: 'check-record',
    })
  })

  test('when a plain check record holds null, then it is told as a wrong key, not a crash', async () => {
    const store = open()
    const mapper = plain()
    await store.snapshots.insert([
      mapper.toRecord(KEY_CHECK_ORIGINATOR_ID, 0, KEY_CHECK_TOPIC, null),
    ])
    expect((await new KeyCheck(store, mapper).evaluate()).state).toBe('wrong-key')
  })

  test('when the nil id has a snapshot at another version only, then it is not taken for the check', async () => {
    const store = open()
    const mapper = plain()
    await store.snapshots.insert([
      mapper.toRecord(KEY_CHECK_ORIGINATOR_ID, 1, KEY_CHECK_TOPIC, { other: true }),
    ])
    expect(await new KeyCheck(store, mapper).evaluate()).toEqual({
      state: 'new-store',
      basis: 'empty-store',
    })
  })

  test('when the oldest event cannot be decoded for a missing class, then that is raised, not told as a wrong key', async () => {
    class Price {
      declare readonly cents: number
    }
    const writer = new TopicRegistry()
    writer.register('shop#Price', Price)
    const price = Object.assign(new Price(), { cents: 5 })
    const store = open()
    await store.events.insert([
      new Mapper({ registry: writer }).toRecord(randomUUID(), 1, 'shop#Order.Priced', { price }),
    ])
    const strict = new Mapper({ registry: new TopicRegistry(), unregisteredTopics: 'fail' })
    await expect(new KeyCheck(store, strict).evaluate()).rejects.toBeInstanceOf(TopicNotFound)
  })

  test.each([
    ['another key', () => withKey(keyB), 'wrong-key'],
    ['no key', plain, 'missing-key'],
  ] as const)(
    'when an old encrypted store is written with %s, then the write is refused and no check is recorded',
    async (_case, reader, reason) => {
      const store = open()
      const first = eventOf(withKey(keyA))
      await store.events.insert([first])
      const check = new KeyCheck(store, reader())
      const guarded = guardWrites(store, () => check.beforeWrite())
      const error = await guarded.events
        .insert([eventOf(reader(), first.originatorId, 2)])
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WriteRefused)
      expect((error as WriteRefused).reason).toBe(reason)
      expect((error as WriteRefused).message).toBe(
        `writing is blocked: ${describeKeyCheck({ state: reason, basis: 'stored-event' })}`,
      )
      expect(await checkRecords(store)).toEqual([])
      expect((await store.events.select(first.originatorId)).length).toBe(1)
    },
  )

  test('when an old store is written with its key, then the check is recorded and verified', async () => {
    const store = open()
    await store.events.insert([eventOf(withKey(keyA))])
    const check = new KeyCheck(store, withKey(keyA))
    await check.beforeWrite()
    expect(check.current).toEqual({ state: 'verified', basis: 'check-record' })
    expect(await new KeyCheck(store, withKey(keyA)).evaluate()).toEqual({
      state: 'verified',
      basis: 'check-record',
    })
  })

  test('when a verified check is asked again, then it writes nothing more', async () => {
    const store = open()
    const check = new KeyCheck(store, withKey(keyA))
    await check.beforeWrite()
    const insert = vi.spyOn(store.snapshots, 'insert')
    await check.beforeWrite()
    await check.beforeWrite()
    expect(insert).not.toHaveBeenCalled()
    expect((await checkRecords(store)).length).toBe(1)
  })

  test('when another key recorded the check first, then the loser refuses its write with wrong-key', async () => {
    const store = open()
    const winner = new KeyCheck(store, withKey(keyA))
    const loser = new KeyCheck(store, withKey(keyB))
    // Both saw an empty store before either wrote.
    await winner.evaluate()
    await loser.evaluate()
    await winner.beforeWrite()
    const error = await loser.beforeWrite().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WriteRefused)
    expect((error as WriteRefused).reason).toBe('wrong-key')
    expect(loser.current).toEqual({ state: 'wrong-key', basis: 'check-record' })
    expect(await winner.evaluate()).toEqual({ state: 'verified', basis: 'check-record' })
  })

  test('when the same key recorded the check first, then the loser goes on verified', async () => {
    const store = open()
    const first = new KeyCheck(store, withKey(keyA))
    const second = new KeyCheck(store, withKey(keyA))
    await first.evaluate()
    await second.evaluate()
    await first.beforeWrite()
    await second.beforeWrite()
    expect(second.current).toEqual({ state: 'verified', basis: 'check-record' })
    expect((await checkRecords(store)).length).toBe(1)
  })

  test('when recording the check fails for another reason, then the error is raised and the next write retries', async () => {
    const store = open()
    const check = new KeyCheck(store, withKey(keyA))
    const failure = new Error('disk full')
    // One failed insert of a real store (no fake store): the next one goes through.
    vi.spyOn(store.snapshots, 'insert').mockRejectedValueOnce(failure)
    await expect(check.beforeWrite()).rejects.toBe(failure)
    expect(check.current).toEqual({ state: 'new-store', basis: 'empty-store' })
    await check.beforeWrite()
    expect(check.current).toEqual({ state: 'verified', basis: 'check-record' })
    expect((await checkRecords(store)).length).toBe(1)
  })

  test('when a ConcurrencyError comes from the check insert, then it is not raised to the writer', async () => {
    const store = open()
    await new KeyCheck(store, withKey(keyA)).beforeWrite()
    const late = new KeyCheck(store, withKey(keyA))
    // Told new-store before the other writer recorded: its own insert then conflicts.
    vi.spyOn(store.snapshots, 'select').mockResolvedValueOnce([])
    await late.evaluate()
    expect(late.current?.state).toBe('new-store')
    await expect(late.beforeWrite()).resolves.toBeUndefined()
    expect(late.current).toEqual({ state: 'verified', basis: 'check-record' })
  })
})

describe('guardWrites', () => {
  const refuse = async (): Promise<void> => {
    throw new WriteRefused('writing is blocked: test', 'read-only')
  }

  test('when writes are refused, then insert, insertBatches and insertIfAbsent write nothing', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'guard-')), 'g.sqlite'))
    opened.push(store)
    const guarded = guardWrites(store, refuse)
    const mapper = plain()
    const a = eventOf(mapper)
    const b = eventOf(mapper)
    await expect(guarded.events.insert([a])).rejects.toBeInstanceOf(WriteRefused)
    await expect(guarded.events.insertBatches!([[a], [b]])).rejects.toBeInstanceOf(WriteRefused)
    await expect(guarded.snapshots.insert([a])).rejects.toBeInstanceOf(WriteRefused)
    await expect(guarded.snapshots.insertBatches!([[a]])).rejects.toBeInstanceOf(WriteRefused)
    await expect(guarded.snapshots.insertIfAbsent!([a, b])).rejects.toBeInstanceOf(WriteRefused)
    expect(await store.events.select(a.originatorId)).toEqual([])
    expect(await store.events.select(b.originatorId)).toEqual([])
    expect(await store.snapshots.select(a.originatorId)).toEqual([])
    expect(await store.snapshots.select(b.originatorId)).toEqual([])
  })

  test('when writes pass, then each insert reaches the store after the guard', async () => {
    const store = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'guard-')), 'g.sqlite'))
    opened.push(store)
    let guardCalls = 0
    const guarded = guardWrites(store, async () => {
      guardCalls += 1
    })
    const mapper = plain()
    const a = eventOf(mapper)
    const b = eventOf(mapper)
    await guarded.events.insertBatches!([[a], [b]])
    await guarded.snapshots.insertIfAbsent!([a, b])
    await guarded.snapshots.insertIfAbsent!([a])
    expect(guardCalls).toBe(3)
    expect((await store.events.select(b.originatorId)).length).toBe(1)
    expect((await store.snapshots.select(a.originatorId)).length).toBe(1)
  })

  test('when a store has no insertIfAbsent, then the guarded one has none either', () => {
    const guarded = guardWrites(createMemoryStore(), refuse)
    expect(guarded.snapshots.insertIfAbsent).toBeUndefined()
    expect(guarded.events.insertIfAbsent).toBeUndefined()
  })

  test('when a recorder cannot insert batches atomically, then the guarded one cannot either', async () => {
    // Cassandra's recorder has no insertBatches; the client connects only on its first query,
    // and a refused write never reaches it.
    const client = new Client({ contactPoints: ['127.0.0.1:1'], localDataCenter: 'dc1' })
    const session = new CassandraSession(client, 'unused', '127.0.0.1:1')
    const store: Store = {
      ...createMemoryStore(),
      snapshots: new CassandraAggregateRecorder(session, 'snapshots'),
    }
    const guarded = guardWrites(store, refuse)
    expect(guarded.snapshots.insertBatches).toBeUndefined()
    expect(guarded.events.insertBatches).toBeInstanceOf(Function)
    await expect(guarded.snapshots.insert([eventOf(plain())])).rejects.toBeInstanceOf(WriteRefused)
  })

  test('when a read method is taken off the guarded recorder, then it still reads that recorder', async () => {
    const store = createMemoryStore()
    const record = eventOf(plain())
    await store.events.insert([record])
    const guarded = guardWrites(store, refuse)
    // Bound to the recorder: a method passed around as a callback keeps working.
    const select = guarded.events.select.bind(undefined)
    expect((await select(record.originatorId)).length).toBe(1)
    expect(guarded.kind).toBe('memory')
    expect(guarded.description).toBe(store.description)
  })
})
