/** The benchmarks' aggregate: one Created + (count − 1) changes of foo, saved 1,000 at a time. */
import { createSqliteStore } from '../electron/eventsourcing'
import { sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'

export interface ReplayFixtureOptions {
  path: string
  count: number
  cipher: boolean
  compress: boolean
  verify?: boolean
}

export async function buildReplayFixture(
  options: ReplayFixtureOptions,
): Promise<{ app: EverythingApplication; id: string }> {
  const app = new EverythingApplication({
    store: createSqliteStore(options.path, sqliteDriverFromEnv()),
    cipherKey: options.cipher ? SEED_CIPHER_KEY : undefined,
    compress: options.compress,
    verifyHashes: options.verify ?? true,
    snapshotPeriod: 0,
  })
  const aggregate = app.createExampleAggregate('start')
  for (let i = 1; i < options.count; i++) {
    aggregate.foo = `value ${i}`
    if (i % 1000 === 0) await aggregate.save()
  }
  await aggregate.save()
  return { app, id: aggregate.id }
}
