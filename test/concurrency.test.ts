import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import {
  ConcurrencyError,
  createMemoryStore,
  createSqliteStore,
  type Store,
} from '../electron/eventsourcing'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import type { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { describeWithCassandra, openCassandraTestStore } from './cassandraTestStore'
import { besidesNodeSqlite, onNodeSqliteRun } from './sqliteRun'

/**
 * Handles racing on one aggregate through separate connections to the same database (two
 * SQLite connections, two Cassandra clients): exactly one save of a version wins, the losers
 * get ConcurrencyError, and after reloading every writer's change is stored — nothing lost.
 */
function raceSuite(name: string, openConnection: () => Promise<Store>): void {
  const open = async (): Promise<EverythingApplication> =>
    new EverythingApplication({
      store: await openConnection(),
      cipherKey: SEED_CIPHER_KEY,
    })

  test(`${name}: two handles loaded at one version — the first save wins, the second raises, reload and retry succeeds`, async () => {
    await using first = await open()
    await using second = await open()
    const created = first.createExampleAggregate('bar1')
    await created.save()
    const a = await first.repository.get<ExampleAggregateRoot>(created.id)
    const b = await second.repository.get<ExampleAggregateRoot>(created.id)
    a.foo = 'from a'
    b.foo = 'from b'
    const results = await Promise.allSettled([a.save(), b.save()])
    const winners = results.filter((r) => r.status === 'fulfilled')
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(winners).toHaveLength(1)
    expect(losers).toHaveLength(1)
    expect(losers[0]!.reason).toBeInstanceOf(ConcurrencyError)
    const loser = results[0]!.status === 'rejected' ? first : second
    const value = results[0]!.status === 'rejected' ? 'from a' : 'from b'
    const reloaded = await loser.repository.get<ExampleAggregateRoot>(created.id)
    expect(reloaded.version).toBe(1)
    reloaded.foo = value
    await reloaded.save()
    const final = await first.repository.get<ExampleAggregateRoot>(created.id)
    expect(final.version).toBe(2)
    expect(final.foo).toBe(value)
  })

  test(`${name}: 8 writers race on one aggregate and, retrying on ConcurrencyError, nothing is lost`, async () => {
    const apps = await Promise.all(Array.from({ length: 4 }, () => open()))
    try {
      const created = apps[0]!.createExampleAggregate('start')
      await created.save()
      const writers = Array.from({ length: 8 }, (_, i) => i)
      let conflicts = 0
      await Promise.all(
        writers.map(async (i) => {
          const app = apps[i % apps.length]!
          for (;;) {
            const handle = await app.repository.get<ExampleAggregateRoot>(created.id)
            handle.foo = `writer ${i}`
            try {
              await handle.save()
              return
            } catch (error) {
              if (!(error instanceof ConcurrencyError)) throw error
              conflicts += 1
            }
          }
        }),
      )
      const events = await apps[0]!.eventStore.list(created.id)
      expect(events.map((e) => e.originatorVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
      const written = events
        .slice(1)
        .map((e) => (e as unknown as { value: string }).value)
        .sort()
      expect(written).toEqual(writers.map((i) => `writer ${i}`).sort())
      // Eight writers loaded at the same version cannot all have won first time.
      expect(conflicts).toBeGreaterThan(0)
    } finally {
      for (const app of apps) await app.close()
    }
  })
}

describe('concurrent writers', () => {
  besidesNodeSqlite(() => {
    const memory = createMemoryStore()
    raceSuite('memory', async () => ({ ...memory, close: async () => {} }))
  })

  const path = join(mkdtempSync(join(tmpdir(), 'eventscope-race-')), 'race.sqlite')
  raceSuite('sqlite (separate connections)', async () =>
    createSqliteStore(path, sqliteDriverFromEnv()),
  )
})

// Not on the node:sqlite run (test/sqliteRun.ts), which keeps to SQLite files.
if (!onNodeSqliteRun)
  await describeWithCassandra('concurrent writers on Cassandra (separate clients)', () => {
    raceSuite('cassandra', () => openCassandraTestStore())
  })
