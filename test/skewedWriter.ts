/**
 * A writer process for the log-follower tests: run with test/skewedClock.ts preloaded, so its
 * clock is EVENTSCOPE_CLOCK_OFFSET_MS off. Saves `changes` changes to the given aggregates in
 * turn (racing any other writer of them: on ConcurrencyError it reloads the version and retries)
 * and prints one JSON line per outcome: `{"ack":[id,version]}` once `insert` resolved, or
 * `{"doubt":[id,version]}` when it failed with StoreUnavailable (it may have been stored).
 */
import { randomBytes } from 'node:crypto'
import {
  type CassandraApplicationRecorder,
  ConcurrencyError,
  openStore,
  StoreUnavailable,
} from '../electron/eventsourcing'
import { cassandraSettingsFromEnv } from '../electron/explorer/storeEnv'

export interface SkewedWriterJob {
  readonly keyspace: string
  readonly ids: readonly string[]
  readonly changes: number
  readonly pauseMs: number
  readonly topic: string
  readonly intentTimeoutMs?: number
  readonly requestTimeoutMs?: number
  readonly maxClockSkewMs?: number
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.SKEWED_WRITER_JOB ?? '') as SkewedWriterJob
  const store = await openStore({
    kind: 'cassandra',
    ...cassandraSettingsFromEnv(),
    keyspace: job.keyspace,
    ...(job.intentTimeoutMs === undefined ? {} : { intentTimeoutMs: job.intentTimeoutMs }),
    ...(job.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: job.requestTimeoutMs }),
    ...(job.maxClockSkewMs === undefined ? {} : { maxClockSkewMs: job.maxClockSkewMs }),
  })
  const events = store.events as CassandraApplicationRecorder
  try {
    for (let i = 0; i < job.changes; i++) {
      const id = job.ids[i % job.ids.length]!
      for (;;) {
        const last = await events.lastVersion(id)
        const version = last === undefined ? 0 : last + 1
        try {
          await events.insert([
            {
              originatorId: id,
              originatorVersion: version,
              topic: `${job.topic}.${version === 0 ? 'Created' : 'Changed'}`,
              state: randomBytes(8),
            },
          ])
          console.log(JSON.stringify({ ack: [id, version] }))
          break
        } catch (error) {
          if (error instanceof ConcurrencyError) continue
          if (error instanceof StoreUnavailable) {
            console.log(JSON.stringify({ doubt: [id, version] }))
            break
          }
          throw error
        }
      }
      if (job.pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, job.pauseMs))
    }
  } finally {
    await store.close()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
