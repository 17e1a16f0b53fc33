/**
 * Writes to the e2e run's store behind the app's back (plain SQL on the SQLite file, plain CQL
 * on the Cassandra keyspace), as playwright.config.ts set them up: E2E_STORE, E2E_DATA_DIR,
 * E2E_RUN_ID, CASSANDRA_CONTACT_POINTS.
 */
import { join } from 'node:path'
import Database from 'better-sqlite3'
import cassandra from 'cassandra-driver'

export interface StoreTamperer {
  deleteEvents(id: string, versions: number[]): Promise<void>
  deleteSnapshots(id: string, versions: number[]): Promise<void>
  readEvent(id: string, version: number): Promise<{ topic: string; state: Buffer }>
  writeEvent(id: string, version: number, topic: string, state: Buffer): Promise<void>
  close(): Promise<void>
}

export function openTamperer(): StoreTamperer {
  const store = (process.env['E2E_STORE'] ?? 'sqlite').trim().toLowerCase()
  return store === 'cassandra' ? cassandraTamperer() : sqliteTamperer()
}

function sqliteTamperer(): StoreTamperer {
  const dataDir = process.env['E2E_DATA_DIR']
  if (!dataDir) throw new Error('E2E_DATA_DIR is not set (run through playwright.config.ts)')
  const db = new Database(join(dataDir, 'e2e.sqlite'))
  db.pragma('busy_timeout = 5000')
  const where = 'WHERE originator_id = ? AND originator_version = ?'
  return {
    async deleteEvents(id, versions) {
      for (const v of versions) db.prepare(`DELETE FROM events ${where}`).run(id, v)
    },
    async deleteSnapshots(id, versions) {
      for (const v of versions) db.prepare(`DELETE FROM snapshots ${where}`).run(id, v)
    },
    async readEvent(id, version) {
      const row = db.prepare(`SELECT topic, state FROM events ${where}`).get(id, version) as {
        topic: string
        state: Buffer
      }
      return { topic: row.topic, state: Buffer.from(row.state) }
    },
    async writeEvent(id, version, topic, state) {
      db.prepare(
        'INSERT OR REPLACE INTO events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)',
      ).run(id, version, topic, state)
    },
    async close() {
      db.close()
    },
  }
}

function cassandraTamperer(): StoreTamperer {
  const runId = process.env['E2E_RUN_ID']
  if (!runId) throw new Error('E2E_RUN_ID is not set (run through playwright.config.ts)')
  const keyspace = `e2e_${runId}`.slice(0, 48)
  const contactPoints = (process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042').split(',')
  const client = new cassandra.Client({
    contactPoints,
    localDataCenter: process.env['CASSANDRA_LOCAL_DC'] ?? 'datacenter1',
    keyspace,
  })
  const run = (query: string, params: unknown[]) => client.execute(query, params, { prepare: true })
  const where = 'WHERE originator_id = ? AND originator_version = ?'
  return {
    async deleteEvents(id, versions) {
      for (const v of versions) await run(`DELETE FROM events ${where}`, [id, v])
    },
    async deleteSnapshots(id, versions) {
      for (const v of versions) await run(`DELETE FROM snapshots ${where}`, [id, v])
    },
    async readEvent(id, version) {
      const row = (await run(`SELECT topic, state FROM events ${where}`, [id, version])).first()
      return { topic: String(row!['topic']), state: Buffer.from(row!['state'] as Buffer) }
    },
    async writeEvent(id, version, topic, state) {
      await run(
        'INSERT INTO events (originator_id, originator_version, topic, state) VALUES (?, ?, ?, ?)',
        [id, version, topic, state],
      )
    },
    async close() {
      await client.shutdown()
    },
  }
}
