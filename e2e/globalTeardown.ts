/**
 * After a run: the run's store goes away (the Cassandra keyspace `e2e_<runId>` and the run's
 * data folder, SQLite file and Python stores included), so repeated runs do not pile up
 * keyspaces on a shared node or folders in /tmp. E2E_KEEP_STORE=1 keeps both for a look after a
 * failure.
 */
import { rmSync } from 'node:fs'
import cassandra from 'cassandra-driver'

export default async function globalTeardown(): Promise<void> {
  if (process.env['E2E_KEEP_STORE'] === '1') return
  const runId = process.env['E2E_RUN_ID']
  const dataDir = process.env['E2E_DATA_DIR']
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  if ((process.env['E2E_STORE'] ?? 'sqlite').trim().toLowerCase() !== 'cassandra' || !runId) return
  const client = new cassandra.Client({
    contactPoints: (process.env['CASSANDRA_CONTACT_POINTS'] ?? '127.0.0.1:9042').split(','),
    localDataCenter: process.env['CASSANDRA_LOCAL_DC'] ?? 'datacenter1',
  })
  // The name playwright.config.ts gives the server's keyspace.
  const keyspace = `e2e_${runId}`.slice(0, 48)
  if (!/^\w+$/.test(keyspace)) throw new Error(`unexpected e2e keyspace name '${keyspace}'`)
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
  } finally {
    await client.shutdown()
  }
}
