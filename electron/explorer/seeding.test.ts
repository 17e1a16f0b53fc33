/**
 * seedDemoData on a real SQLite file: small aggregates saved together, large ones in parts,
 * every history whole and verified, and a cancelled seed leaving only whole saves behind.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { aggregateState, Application, createSqliteStore } from '../eventsourcing'
import { DEFAULT_SEED_TYPE } from './builtInTypes'
import { seedableType } from './commands'
import { seedDemoData, type SeedProgress } from './seeding'
import { sqliteDriverFromEnv } from './storeEnv'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-seeding-'))
let n = 0
const open: Application[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()))
})

function sqliteApp(): Application {
  const store = createSqliteStore(join(folder, `seed-${++n}.sqlite`), sqliteDriverFromEnv())
  const app = new Application({ store, snapshotPeriod: 2 })
  open.push(app)
  return app
}

/** Every aggregate of the index: its version, its verified history, its snapshots. */
async function survey(app: Application) {
  const out: { id: string; version: number; problems: number; snapshots: number[] }[] = []
  let pageToken: string | undefined
  do {
    const page = await app.listAggregates({ limit: 500, ...(pageToken ? { pageToken } : {}) })
    for (const item of page.items) {
      const verified = await app.verifyHistory(item.originatorId)
      const snapshots = await app.snapshotRecords(item.originatorId)
      out.push({
        id: item.originatorId,
        version: item.version,
        problems: verified.problems.length,
        snapshots: snapshots.map((s) => s.originatorVersion),
      })
    }
    pageToken = page.nextPageToken
  } while (pageToken)
  return out
}

const type = seedableType(DEFAULT_SEED_TYPE)

describe('seedDemoData on SQLite', () => {
  test('many small aggregates: all stored, whole, verified, with their snapshots', async () => {
    const app = sqliteApp()
    const progress: SeedProgress[] = []
    const result = await seedDemoData(app, {
      type,
      aggregates: 120,
      events: 7,
      batchSize: 50,
      onProgress: (p) => progress.push(p),
    })
    expect(result).toEqual({ aggregates: 120, events: 840, cancelled: false })
    // Several aggregates per save: far fewer saves than aggregates, each reported.
    expect(progress.length).toBeLessThan(20)
    expect(progress.at(-1)).toEqual({ aggregates: 120, events: 840, totalEvents: 840 })
    const all = await survey(app)
    expect(await app.countAggregates()).toBe(120)
    expect(all).toHaveLength(120)
    for (const a of all) {
      expect(a).toMatchObject({ version: 6, problems: 0, snapshots: [1, 3, 5] })
    }
    // The snapshots hold what a replay of the events makes.
    for (const a of all.slice(0, 10)) {
      const fromSnapshot = await app.replay(a.id)
      const fromEvents = await app.replay(a.id, { useSnapshots: false })
      expect(fromSnapshot.snapshot?.originatorVersion).toBe(5)
      expect(aggregateState(fromSnapshot.aggregate!)).toEqual(aggregateState(fromEvents.aggregate!))
    }
    const log = await app.log.read({ limit: 1000 })
    expect(log.reduce((sum, e) => sum + e.toVersion - e.fromVersion + 1, 0)).toBe(840)
  })

  test('a large aggregate is saved in parts of batchSize', async () => {
    const app = sqliteApp()
    const progress: number[] = []
    const result = await seedDemoData(app, {
      type,
      aggregates: 2,
      events: 130,
      batchSize: 50,
      onProgress: (p) => progress.push(p.events),
    })
    expect(result).toEqual({ aggregates: 2, events: 260, cancelled: false })
    expect(progress).toEqual([50, 100, 180, 230, 260])
    const all = await survey(app)
    expect(all.map((a) => [a.version, a.problems, a.snapshots.length])).toEqual([
      [129, 0, 65],
      [129, 0, 65],
    ])
  })

  test('cancelled mid-seed: stops after the current save, every stored history whole', async () => {
    const app = sqliteApp()
    const controller = new AbortController()
    let saves = 0
    const result = await seedDemoData(app, {
      type,
      aggregates: 400,
      events: 9,
      batchSize: 40,
      signal: controller.signal,
      onProgress: () => {
        if (++saves === 3) controller.abort()
      },
    })
    expect(result.cancelled).toBe(true)
    expect(result.events).toBe(result.aggregates * 9)
    expect(result.aggregates).toBeGreaterThan(0)
    expect(result.aggregates).toBeLessThan(400)
    const all = await survey(app)
    // Exactly what was reported as stored: nothing acknowledged is lost, nothing half-made.
    expect(all).toHaveLength(result.aggregates)
    expect(all.every((a) => a.version === 8 && a.problems === 0)).toBe(true)
    expect(all.every((a) => a.snapshots.join() === '1,3,5,7')).toBe(true)
  })
})
