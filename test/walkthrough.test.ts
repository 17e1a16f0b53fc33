import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { EventBus } from '../electron/eventsourcing/domain/bus'
import type { EventBatch } from '../electron/eventsourcing/domain/aggregate'
import type { Store } from '../electron/eventsourcing/persistence/recorder'
import { createMemoryStore } from '../electron/eventsourcing/persistence/recorders/memory'
import { createSqliteStore } from '../electron/eventsourcing/persistence/recorders/sqlite'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { runWalkthrough, type Check } from '../electron/example/walkthrough'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-walkthrough-'))

const stores: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => createMemoryStore()],
  ['sqlite', async () => createSqliteStore(join(folder, 'walkthrough.sqlite'))],
]

describe.each(stores)('the seed walk-through on %s', (_name, openStore) => {
  test('every assertion of the seed holds', async () => {
    await using app = new EverythingApplication({
      store: await openStore(),
      cipherKey: SEED_CIPHER_KEY,
      bus: new EventBus<EventBatch>(),
    })
    const checks: Check[] = []
    await runWalkthrough(app, (c) => checks.push(c))
    expect(checks.length).toBeGreaterThanOrEqual(30)
    expect(checks.filter((c) => !c.ok)).toEqual([])
  })
})
