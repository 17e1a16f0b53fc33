import { randomBytes } from 'node:crypto'
import cassandra from 'cassandra-driver'
import { afterAll, beforeAll, describe, test } from 'vitest'
import { type CassandraSettings, openStore, type Store } from '../electron/eventsourcing'
import { cassandraSettingsFromEnv } from '../electron/explorer/storeEnv'

/**
 * Tests against a real Cassandra (never a mock): CASSANDRA_* settings from the environment
 * (default 127.0.0.1:9042, datacenter1; `npm run cassandra -- start` runs one), and a fresh
 * keyspace per test file — this module is loaded once per file — dropped after the file.
 */
export const testKeyspace = `eventscope_test_${randomBytes(6).toString('hex')}`

export function cassandraTestSettings(
  overrides: Partial<CassandraSettings> = {},
): CassandraSettings {
  return { ...cassandraSettingsFromEnv(), keyspace: testKeyspace, ...overrides }
}

export function openCassandraTestStore(overrides: Partial<CassandraSettings> = {}): Promise<Store> {
  return openStore({ kind: 'cassandra', ...cassandraTestSettings(overrides) })
}

/** A plain driver client for the test helpers' own queries (probe, clean-up). */
function testClient(settings: CassandraSettings, readTimeout: number): cassandra.Client {
  return new cassandra.Client({
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    socketOptions: { connectTimeout: 5000, readTimeout },
    ...(settings.username === undefined
      ? {}
      : {
          authProvider: new cassandra.auth.PlainTextAuthProvider(
            settings.username,
            settings.password ?? '',
          ),
        }),
    ...(settings.tls ? { sslOptions: {} } : {}),
  })
}

export type CassandraAvailability =
  { ok: true; version: string } | { ok: false; reason: string; error: Error }

let probe: Promise<CassandraAvailability> | undefined

/** Whether the configured Cassandra answers `SELECT release_version FROM system.local`. */
export function cassandraAvailable(): Promise<CassandraAvailability> {
  probe ??= (async () => {
    const settings = cassandraSettingsFromEnv()
    const client = testClient(settings, 10_000)
    try {
      const rs = await client.execute('SELECT release_version FROM system.local')
      return { ok: true as const, version: String(rs.first()?.['release_version'] ?? '?') }
    } catch (error) {
      const reason = `Cassandra at ${settings.contactPoints.join(', ')} (${settings.localDataCenter}) cannot be reached: ${(error as Error).message}`
      return { ok: false as const, reason, error: new Error(reason, { cause: error }) }
    } finally {
      await client.shutdown().catch(() => {})
    }
  })()
  return probe
}

/** Drops this file's keyspace, or another one it made (best effort). */
export async function dropCassandraTestKeyspace(keyspace = testKeyspace): Promise<void> {
  const settings = cassandraTestSettings()
  const client = testClient(settings, 60_000)
  try {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`)
  } catch (error) {
    console.warn(
      `[cassandra tests] could not drop keyspace ${keyspace}: ${(error as Error).message}`,
    )
  } finally {
    await client.shutdown().catch(() => {})
  }
}

/**
 * A suite that needs Cassandra, skipped when EVENTSCOPE_TEST_CASSANDRA=off. When it cannot be
 * reached: in CI (`CI` set) a test fails with the connection error; elsewhere the suite is
 * skipped with a loud warning naming the cause.
 * The keyspace is created before the suite (schema creation is slow) and dropped after it.
 */
export async function describeWithCassandra(name: string, body: () => void): Promise<void> {
  // Mutation runs (vitest.mutate.config.ts) leave Cassandra out on purpose: no probe, no node.
  if (process.env['EVENTSCOPE_TEST_CASSANDRA'] === 'off') {
    describe.skip(`${name} (EVENTSCOPE_TEST_CASSANDRA=off)`, body)
    return
  }
  const availability = await cassandraAvailable()
  if (!availability.ok) {
    if (process.env.CI) {
      describe(name, () => {
        test('Cassandra is reachable', () => {
          throw availability.error
        })
      })
      return
    }
    const line = '!'.repeat(100)
    console.warn(
      `\n${line}\n!! SKIPPED '${name}': ${availability.reason}\n!! Start one with \`bash scripts/cassandra.sh start\` or set CASSANDRA_CONTACT_POINTS.\n${line}\n`,
    )
  }
  describe.skipIf(!availability.ok)(name, () => {
    beforeAll(async () => {
      const store = await openCassandraTestStore()
      await store.close()
    }, 180_000)
    afterAll(() => dropCassandraTestKeyspace(), 120_000)
    body()
  })
}
