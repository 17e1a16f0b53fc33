/**
 * Stores Python's eventsourcing writes with settings other than its defaults, through `dispatch`
 * as both transports call it, on SQLite and a real PostgreSQL: aggregates whose versions start
 * at 0 (INITIAL_VERSION = 0).
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import {
  freshPostgresDatabase,
  pythonAvailable,
  pythonConnectSettings,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { closeOpenServices, harness, type Harness } from '../serviceTesting'

const python = pythonAvailable()
let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined
let unavailable: string | undefined = python.ok ? undefined : python.reason
if (!unavailable) {
  try {
    database = await freshPostgresDatabase()
  } catch (error) {
    unavailable = (error as Error).message
  }
}
if (unavailable && !process.env['CI'])
  console.warn(`\n!! SKIPPED the Python store variant tests: ${unavailable}\n`)

let report: WriteReport & { sqliteDir: string }
const app = (backend: string, name: string): ReportedApplication =>
  report.applications.find((a) => a.backend === backend && a.name === name)!

async function connectTo(a: ReportedApplication): Promise<Harness> {
  const h = harness({ cipherKey: undefined })
  await h.ok('connect', pythonConnectSettings(a, database?.url))
  return h
}

describe.skipIf(unavailable !== undefined && !process.env['CI'])(
  'Python eventsourcing stores written with other settings',
  () => {
    beforeAll(() => {
      if (unavailable) throw new Error(`Python store variant tests: ${unavailable}`)
      report = writePythonStores({ postgresUrl: database!.url })
    }, 120_000)
    afterEach(() => closeOpenServices())
    afterAll(() => database?.drop())

    describe.each(['sqlite', 'postgres'])('on %s', (backend) => {
      test('versions from 0 (INITIAL_VERSION = 0): every version, the state at 0, its snapshots', async () => {
        const counters = app(backend, 'Counters')
        const counter = counters.aggregates.find((a) => a.events.length > 4)!
        expect(counter.events[0]!.version).toBe(0)
        const h = await connectTo(counters)

        const listed = await h.ok('listAggregates', { limit: 10, order: 'id' })
        expect(listed.items.find((i) => i.id === counter.id)).toMatchObject({
          version: counter.version,
          createdAt: counter.events[0]!.payload['timestamp'],
        })

        const events = await h.ok('listEvents', { id: counter.id, fromVersion: 0 })
        expect(events).toMatchObject({ firstVersion: 0, latestVersion: counter.version })
        expect(events.items.map((e) => [e.version, e.role, e.payload])).toEqual(
          counter.events.map((e, i) => [e.version, i === 0 ? 'created' : 'changed', e.payload]),
        )

        // The state at version 0 is the library's snapshot at 0 (repository.get(id, version=0)).
        const [atZero, atOne] = counter.snapshots
        expect([atZero!.version, atOne!.version]).toEqual([0, 2])
        const zero = await h.ok('getAggregate', { id: counter.id, at: 0 })
        expect(zero).toMatchObject({
          version: 0,
          latestVersion: counter.version,
          loadedFromSnapshot: 0,
          state: atZero!.payload['state'],
          createdOn: counter.events[0]!.payload['timestamp'],
          lastModified: counter.events[0]!.payload['timestamp'],
        })
        expect(zero.hashChain).toMatchObject({ status: 'absent' })
        expect(zero.hashChain.message).toMatch(/^snapshot v0 \+ no event after it/)
        const one = await h.ok('getAggregate', { id: counter.id, at: 1 })
        expect(one.hashChain.message).toMatch(/^snapshot v0 \+ 1 event after it \(v1–v1\)/)
        const beyond = await h.fail('getAggregate', { id: counter.id, at: counter.version + 1 })
        expect(beyond.message).toContain(`its versions are 0–${counter.version}`)

        const snapshots = await h.ok('listSnapshotVersions', { id: counter.id })
        expect(snapshots.versions).toEqual(counter.snapshots.map((s) => s.version).reverse())
        const raw = await h.ok('getRawRecord', { id: counter.id, version: 0 })
        expect(raw.topic).toBe(counter.events[0]!.topic)
        const diff = await h.ok('getEventDiff', { id: counter.id, version: 0 })
        expect(diff.map((d) => d.kind)).toContain('added')
      })
    })
  },
)
