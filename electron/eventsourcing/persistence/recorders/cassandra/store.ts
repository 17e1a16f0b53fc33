import { ConfigurationError, StoreUnavailable } from '../../../errors'
import type { Store } from '../../recorder'
import { CassandraApplicationRecorder } from './applicationRecorder'
import { cassandraClientOptions } from './client'
import { Client } from './driver'
import { CassandraAggregateRecorder } from './records'
import { ensureSchema } from './schema'
import { CassandraSession } from './session'
import { checkKeyspaceName, describeSettings, type CassandraSettings } from './settings'

/** Connects, creates the keyspace and tables on first use, and returns the store. */
export async function createCassandraStore(settings: CassandraSettings): Promise<Store> {
  const keyspace = checkKeyspaceName(settings.keyspace)
  const replicationFactor = settings.replicationFactor ?? 1
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new ConfigurationError(
      `replication factor must be a positive integer, not ${replicationFactor}`,
    )
  }
  const options = cassandraClientOptions(settings)
  const where = describeSettings(settings)
  const client = new Client(options)
  const session = new CassandraSession(client, keyspace, where)
  let legacyCounter: boolean
  try {
    try {
      await client.connect()
    } catch (error) {
      throw new StoreUnavailable(
        `cannot connect to Cassandra at ${where}: ${(error as Error).message}`,
        { cause: error },
      )
    }
    legacyCounter = await ensureSchema(session, replicationFactor)
  } catch (error) {
    await client.shutdown().catch(() => {})
    throw error
  }
  const events = new CassandraApplicationRecorder(
    session,
    settings.intentTimeoutMs ?? 60_000,
    legacyCounter,
    settings.maxClockSkewMs ?? 60_000,
    settings.clock,
  )
  return {
    kind: 'cassandra',
    description: `Cassandra ${settings.contactPoints.join(', ')}, keyspace ${keyspace}`,
    events,
    snapshots: new CassandraAggregateRecorder(session, 'snapshots'),
    // Saves' confirmations run in the background: finished first, so a closed store leaves
    // nothing for readers to repair (unless the store is unreachable: then 5 s at most).
    close: async () => {
      await events.settled(5_000)
      await client.shutdown()
    },
  }
}
