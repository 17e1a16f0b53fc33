/**
 * seedDemoData on a real Cassandra, which saves one aggregate at a time (a conditional batch
 * cannot span partitions): saves run SEED_SAVES_IN_FLIGHT at once, and every history is whole.
 */
import { expect, test } from 'vitest'
import { openCassandraTestStore, describeWithCassandra } from '../../test/cassandraTestStore'
import { Application } from '../eventsourcing'
import { DEFAULT_SEED_TYPE } from './builtInTypes'
import { seedableType } from './commands'
import { seedDemoData } from './seeding'

await describeWithCassandra('seedDemoData on Cassandra', () => {
  test('many small aggregates, saved concurrently: all stored and verified', async () => {
    const app = new Application({ store: await openCassandraTestStore(), snapshotPeriod: 2 })
    try {
      expect(app.eventStore.savesSeveralAtomically).toBe(false)
      let saves = 0
      const result = await seedDemoData(app, {
        type: seedableType(DEFAULT_SEED_TYPE),
        aggregates: 40,
        events: 5,
        batchSize: 50,
        onProgress: () => void saves++,
      })
      expect(result).toEqual({ aggregates: 40, events: 200, cancelled: false })
      expect(saves).toBe(4)
      const page = await app.listAggregates({ limit: 100 })
      expect(page.items).toHaveLength(40)
      for (const item of page.items) {
        expect(item.version).toBe(4)
        const verified = await app.verifyHistory(item.originatorId)
        expect(verified.problems).toEqual([])
        expect(
          (await app.snapshotRecords(item.originatorId)).map((s) => s.originatorVersion),
        ).toEqual([1, 3])
      }
    } finally {
      await app.close()
    }
  }, 120_000)
})
