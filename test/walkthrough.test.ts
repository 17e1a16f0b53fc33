import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createMemoryStore, createSqliteStore, type Store } from '../electron/eventsourcing'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { runWalkthrough, type Check } from '../electron/example/walkthrough'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { describeWithCassandra, openCassandraTestStore } from './cassandraTestStore'
import { onNodeSqliteRun } from './sqliteRun'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-walkthrough-'))

const stores: Array<[string, () => Promise<Store>]> = [
  [
    'sqlite',
    async () => createSqliteStore(join(folder, 'walkthrough.sqlite'), sqliteDriverFromEnv()),
  ],
]
// SQLite alone on the node:sqlite run (test/sqliteRun.ts).
if (!onNodeSqliteRun) stores.unshift(['memory', async () => createMemoryStore()])

function walkthroughSuite(name: string, openStore: () => Promise<Store>): void {
  test(`the seed walk-through on ${name}: every assertion holds`, async () => {
    await using app = new EverythingApplication({
      store: await openStore(),
      cipherKey: SEED_CIPHER_KEY,
    })
    const checks: Check[] = []
    await runWalkthrough(app, (c) => checks.push(c))
    expect(checks.length).toBeGreaterThanOrEqual(30)
    expect(checks.filter((c) => !c.ok)).toEqual([])
  })
}

describe('the seed walk-through', () => {
  for (const [name, openStore] of stores) walkthroughSuite(name, openStore)
})

// Not on the node:sqlite run (test/sqliteRun.ts), which keeps to SQLite files.
if (!onNodeSqliteRun)
  await describeWithCassandra('the seed walk-through on Cassandra', () => {
    walkthroughSuite('cassandra', () => openCassandraTestStore())
  })
