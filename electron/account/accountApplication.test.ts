import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { describeWithCassandra, openCassandraTestStore } from '../../test/cassandraTestStore'
import {
  AesGcmCipher,
  AggregateNotFound,
  aggregateState,
  Application,
  ConcurrencyError,
  createMemoryStore,
  createSqliteStore,
  DataIntegrityError,
  DomainError,
  type EventBatch,
  EventBus,
  Mapper,
  restoreAggregate,
  type Store,
} from '../eventsourcing'
import { sqliteDriverFromEnv } from '../explorer/storeEnv'
import { Account, accountType, Transfer } from '.'

/** One key for the whole file: a Cassandra keyspace remembers the first key that wrote to it. */
const KEY = randomBytes(32)
const OTHER = '0f8fad5b-d9cb-469f-a165-70867728950e'
const T1 = '7c9e6679-7425-40de-944b-e07fc1f90ae7'
const T2 = '1b4e28ba-2fa1-41d2-883f-0016d3cca427'

/**
 * The account's history used below; the balance after each version is in BALANCES.
 * v0 open (limit 500), v1 +1000, v2 -1200, v3 transfer T1 200, v4 transfer T2 50,
 * v5 complete T1, v6 cancel T2, v7 limit 300, v8 +400.
 */
const COMMANDS = [
  { name: 'create', params: { owner: 'Grace Hopper', currency: 'USD', overdraftLimit: 500 } },
  { name: 'deposit', params: { amount: 1000, reference: 'first pay' } },
  { name: 'withdraw', params: { amount: 1200 } },
  { name: 'startTransfer', params: { toAccount: OTHER, amount: 200, transferId: T1 } },
  { name: 'startTransfer', params: { toAccount: OTHER, amount: 50, transferId: T2 } },
  { name: 'completeTransfer', params: { transferId: T1 } },
  { name: 'cancelTransfer', params: { transferId: T2 } },
  { name: 'setOverdraftLimit', params: { limit: 400 } },
  { name: 'deposit', params: { amount: 400 } },
]
const BALANCES = [0, 1000, -200, -400, -450, -450, -400, -400, 0]
const LAST = COMMANDS.length - 1

function accountSuite(name: string, openStore: () => Promise<Store>): void {
  const open = async (): Promise<Application> =>
    new Application({
      store: await openStore(),
      cipherKey: KEY,
      snapshotPeriod: 2,
      bus: new EventBus<EventBatch>(),
    })

  /** The account of COMMANDS, saved in three batches (1, 4 and 4 events). */
  async function savedAccount(app: Application): Promise<Account> {
    const account = accountType.run(undefined, COMMANDS.slice(0, 1))
    await app.save(account)
    accountType.run(account, COMMANDS.slice(1, 5))
    await app.save(account)
    accountType.run(account, COMMANDS.slice(5))
    await app.save(account)
    return account
  }

  describe(`Account through the Application (${name})`, () => {
    test('saved and reloaded: the same state, its transfers Transfer instances in a Map', async () => {
      await using app = await open()
      const account = await savedAccount(app)
      expect(account.pendingEvents).toHaveLength(0)
      const loaded = await app.repository.get<Account>(account.id)
      expect(loaded).toBeInstanceOf(Account)
      expect(loaded.version).toBe(LAST)
      expect(aggregateState(loaded)).toEqual(aggregateState(account))
      expect(loaded.balance).toBe(0)
      expect(loaded._transfers).toBeInstanceOf(Map)
      expect(loaded.transfers.every((t) => t instanceof Transfer)).toBe(true)
      expect(loaded.transfers.map((t) => [t.id, t.status])).toEqual([
        [T1, 'completed'],
        [T2, 'cancelled'],
      ])
      expect(loaded.transfers[0]!.startedOn).toBeInstanceOf(Date)
      // Stored under the names the UI shows.
      const stored = await app.store.events.select(account.id)
      expect(stored.map((r) => r.topic.replace('bank#Account.', ''))).toEqual([
        'Opened',
        'Deposited',
        'Withdrawn',
        'TransferStarted',
        'TransferStarted',
        'TransferCompleted',
        'TransferCancelled',
        'OverdraftLimitChanged',
        'Deposited',
      ])
    })

    test('replayed at every past version, with and without snapshots, it has that version’s balance', async () => {
      await using app = await open()
      const account = await savedAccount(app)
      for (let at = 0; at <= LAST; at++) {
        const entity = await app.repository.getEntity<Account>(account.id, { at })
        expect(entity?.version).toBe(at)
        expect(entity?.balance, `balance at v${at}`).toBe(BALANCES[at])
        const plain = await app.repository.replay(account.id, { at, useSnapshots: false })
        expect(plain.snapshot).toBeUndefined()
        expect(aggregateState(plain.aggregate!)).toEqual(aggregateState(entity!))
      }
      const v4 = await app.repository.getEntity<Account>(account.id, { at: 4 })
      expect(v4!.pendingTransfers.map((t) => t.id)).toEqual([T1, T2])
    })

    test('snapshots every 2 versions restore exactly the state the events give', async () => {
      await using app = await open()
      const account = await savedAccount(app)
      const snapshots = await app.snapshotStrategy!.list(account.id)
      expect(snapshots.map((s) => s.originatorVersion)).toEqual([1, 3, 5, 7])
      for (const snapshot of snapshots) {
        expect(snapshot.topic).toBe('bank#Account')
        const restored = restoreAggregate(snapshot.topic, snapshot.state!)
        expect(restored).toBeInstanceOf(Account)
        const replayed = await app.repository.replay(account.id, {
          at: snapshot.originatorVersion,
          useSnapshots: false,
        })
        expect(aggregateState(restored)).toEqual(aggregateState(replayed.aggregate!))
      }
      const fromSnapshot = await app.repository.replay(account.id, { at: 6 })
      expect(fromSnapshot.snapshot?.originatorVersion).toBe(5)
      expect(fromSnapshot.eventsApplied).toBe(1)
      expect((fromSnapshot.aggregate as Account).transfers[1]!).toBeInstanceOf(Transfer)
      expect((fromSnapshot.aggregate as Account).balance).toBe(BALANCES[6])
    })

    test('a stale copy saving raises ConcurrencyError; reloaded, the command is checked against the new balance', async () => {
      await using app = await open()
      const account = accountType.run(undefined, [
        { name: 'create', params: { owner: 'Alan', currency: 'GBP' } },
        { name: 'deposit', params: { amount: 100 } },
      ])
      await app.save(account)
      const first = await app.repository.get<Account>(account.id)
      const stale = await app.repository.get<Account>(account.id)
      accountType.run(first, [{ name: 'withdraw', params: { amount: 100 } }])
      await app.save(first)
      // The stale copy still thinks the balance is 100: its withdrawal passes its own check.
      accountType.run(stale, [{ name: 'withdraw', params: { amount: 60 } }])
      await expect(app.save(stale)).rejects.toBeInstanceOf(ConcurrencyError)
      const reloaded = await app.repository.get<Account>(account.id)
      expect(reloaded.balance).toBe(0)
      expect(() =>
        accountType.run(reloaded, [{ name: 'withdraw', params: { amount: 60 } }]),
      ).toThrow(DomainError)
      expect(reloaded.pendingEvents).toHaveLength(0)
      await app.save(reloaded)
      expect((await app.repository.get<Account>(account.id)).version).toBe(2)
    })

    test('closed: get says discarded, getEntity null, the past still replays', async () => {
      await using app = await open()
      const account = await savedAccount(app)
      accountType.run(account, [{ name: 'close' }])
      await app.save(account)
      const error = await app.repository.get(account.id).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(AggregateNotFound)
      expect((error as AggregateNotFound).reason).toBe('discarded')
      expect(await app.repository.getEntity(account.id)).toBeNull()
      const before = await app.repository.getEntity<Account>(account.id, { at: LAST })
      expect(before!.balance).toBe(0)
      const stored = await app.store.events.select(account.id, { desc: true, limit: 1 })
      expect(stored[0]!.topic).toBe('bank#Account.Closed')
    })

    test('encrypted: every stored event and snapshot is ciphertext that only the key opens', async () => {
      await using app = await open()
      expect(app.encrypted).toBe(true)
      const account = await savedAccount(app)
      const records = [
        ...(await app.store.events.select(account.id)),
        ...(await app.store.snapshots.select(account.id)),
      ]
      expect(records.length).toBe(LAST + 1 + 4)
      const withKey = new Mapper({ cipher: new AesGcmCipher(KEY) })
      const withoutKey = new Mapper()
      for (const record of records) {
        expect(Mapper.isEncrypted(record)).toBe(true)
        expect(Buffer.from(record.state).toString('latin1')).not.toContain('Grace Hopper')
        expect(() => withoutKey.decodeState(record)).toThrow(DataIntegrityError)
      }
      expect(withKey.decodeState(records[0]!)).toMatchObject({ owner: 'Grace Hopper' })
    })
  })
}

describe('Account on the memory store', () => {
  accountSuite('memory', async () => createMemoryStore())
})

describe('Account on SQLite', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'eventscope-account-')), 'accounts.sqlite')
  accountSuite('sqlite', async () => createSqliteStore(path, sqliteDriverFromEnv()))
})

await describeWithCassandra('Account on Cassandra', () => {
  accountSuite('cassandra', () => openCassandraTestStore())
})
