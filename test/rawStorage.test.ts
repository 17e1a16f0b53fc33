import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import cassandra from 'cassandra-driver'
import { expect, test } from 'vitest'
import { createSqliteStore } from '../electron/eventsourcing'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import {
  cassandraTestSettings,
  describeWithCassandra,
  openCassandraTestStore,
} from './cassandraTestStore'
import { onNodeSqliteRun, openRawSqlite } from './sqliteRun'

const SECRET = 'secret info'

/** Writes an aggregate whose events and snapshots all carry the secret; returns its id. */
async function writeSecret(app: EverythingApplication): Promise<string> {
  const aggregate = app.createExampleAggregate(SECRET)
  aggregate.foo = `${SECRET} 2` // version 1: the seed's period 2 takes a snapshot here
  await aggregate.save()
  return aggregate.id
}

test('reading the SQLite file directly shows ciphertext in event and snapshot rows, never the plaintext', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'eventscope-raw-')), 'raw.sqlite')
  let id: string
  {
    await using app = new EverythingApplication({
      store: createSqliteStore(path, sqliteDriverFromEnv()),
      cipherKey: SEED_CIPHER_KEY,
    })
    id = await writeSecret(app)
  }
  const db = openRawSqlite(path, { readonly: true })
  try {
    for (const table of ['events', 'snapshots']) {
      const rows = db.all(
        `SELECT originator_version, topic, state FROM ${table} WHERE originator_id = ?`,
        id,
      ) as Array<{ state: Buffer; topic: string }>
      expect(rows.length, table).toBeGreaterThan(0)
      for (const row of rows) {
        expect(row.state.toString('latin1')).not.toContain('secret')
        expect(row.state.toString('utf8')).not.toContain('secret')
        expect(row.topic).toMatch(/#/) // topics stay readable for indexing
      }
    }
  } finally {
    db.close()
  }
})

// Not on the node:sqlite run (test/sqliteRun.ts), which keeps to SQLite files.
if (!onNodeSqliteRun)
  await describeWithCassandra('raw Cassandra rows', () => {
    test('a CQL query through the driver shows ciphertext in event and snapshot rows, never the plaintext', async () => {
      let id: string
      {
        await using app = new EverythingApplication({
          store: await openCassandraTestStore(),
          cipherKey: SEED_CIPHER_KEY,
        })
        id = await writeSecret(app)
      }
      const settings = cassandraTestSettings()
      const client = new cassandra.Client({
        contactPoints: settings.contactPoints,
        localDataCenter: settings.localDataCenter,
      })
      try {
        for (const table of ['events', 'snapshots']) {
          const result = await client.execute(
            `SELECT originator_version, topic, state FROM ${settings.keyspace}.${table} WHERE originator_id = ?`,
            [id],
            { prepare: true },
          )
          expect(result.rows.length, table).toBeGreaterThan(0)
          for (const row of result.rows) {
            const state = row['state'] as Buffer
            expect(state.toString('latin1')).not.toContain('secret')
            expect(state.length).toBeGreaterThan(28) // format byte + nonce + tag + body
          }
        }
      } finally {
        await client.shutdown()
      }
    })
  })
