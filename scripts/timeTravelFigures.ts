/**
 * Issue 10's server-side figures, measured through the explorer service (no renderer):
 *
 *   npx tsx --tsconfig tsconfig.node.json scripts/timeTravelFigures.ts [--folder DIR] [--aggregates N] [--events M]
 *
 * 1. listAggregates over N aggregates in SQLite (seeded fast with insertBatches): the first
 *    page of a fresh connection (cold), warm pages, the end of the list, the id-prefix filter,
 *    with each SQL shape's plan.
 * 2. getAggregate at random versions of one M-event aggregate (snapshots every 100, and none):
 *    the first full load, then scrubbing (p50/p95), and listSnapshotVersions.
 * Files are made in --folder (default: a new temporary folder) and left there; a later run
 * with the same folder measures them again without seeding. --only list|scrub: one part.
 */
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import type { EventName, EventOf, MethodName, RequestOf, ResponseOf } from '../shared/contract'
import { methods } from '../shared/contract'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'
import { Application, createSqliteStore, type StoredRecord } from '../electron/eventsourcing'
import { dispatch } from '../electron/explorer/dispatch'
import { ExplorerService } from '../electron/explorer/service'

const SCRUBS = 100
/** The last call's time in the service alone, without the client's validation of the answer. */
let lastServerMs = 0

type Call = <M extends MethodName>(method: M, request: RequestOf<M>) => Promise<ResponseOf<M>>

function serviceOn(
  path: string,
  snapshotPeriod: number,
): { call: Call; close: () => Promise<void> } {
  const service = new ExplorerService({
    cipherKey: SEED_CIPHER_KEY,
    snapshotPeriod,
    emit: <E extends EventName>(_event: E, _payload: EventOf<E>) => {},
  })
  const call: Call = async (method, request) => {
    const start = performance.now()
    const envelope = await dispatch(service, method, request)
    lastServerMs = performance.now() - start
    if (!envelope.ok) throw new Error(`${method}: ${envelope.error.message}`)
    // As the renderer's client would receive it.
    return methods[method].response.parse(envelope.value) as ResponseOf<typeof method>
  }
  return { call, close: () => service.close() }
}

async function timed<T>(body: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now()
  const value = await body()
  return [performance.now() - start, value]
}

const ms = (n: number) => `${n.toFixed(1)} ms`
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!
}

/** N aggregates of one creation event each, 2,000 per atomic insert. */
async function seedAggregates(path: string, n: number): Promise<void> {
  const app = new Application({ store: createSqliteStore(path), cipherKey: SEED_CIPHER_KEY })
  try {
    for (let done = 0; done < n;) {
      const batches: StoredRecord[][] = []
      for (const end = Math.min(n, done + 2000); done < end; done++) {
        const aggregate = ExampleAggregateRoot.create({ foo: `demo ${done}` })
        batches.push(aggregate.collectEvents().map((e) => app.mapper.eventToRecord(e)))
      }
      await app.store.events.insertBatches!(batches)
    }
  } finally {
    await app.close()
  }
}

function plans(path: string): void {
  const db = new Database(path, { readonly: true })
  const columns =
    'originator_id, aggregate_topic, created_at, last_modified, version, last_topic, last_position'
  const shapes: Array<[string, string, unknown[]]> = [
    ['recent, first page', 'ORDER BY last_position DESC LIMIT 101', []],
    ['recent, from the end', 'ORDER BY last_position ASC LIMIT 101', []],
    ['recent, next page', 'WHERE last_position < ? ORDER BY last_position DESC LIMIT 101', [5]],
    ['id, first page', 'ORDER BY originator_id ASC LIMIT 101', []],
    ['id, from the end', 'ORDER BY originator_id DESC LIMIT 101', []],
    [
      'recent, prefix',
      'WHERE originator_id >= ? AND originator_id < ? ORDER BY last_position DESC LIMIT 101',
      ['ab', 'ab\uffff'],
    ],
    [
      'id, prefix, from the end',
      'WHERE originator_id >= ? AND originator_id < ? ORDER BY originator_id DESC LIMIT 101',
      ['ab', 'ab\uffff'],
    ],
    [
      'recent, type',
      'WHERE aggregate_topic = ? ORDER BY last_position DESC LIMIT 101',
      ['example#ExampleAggregateRoot'],
    ],
  ]
  for (const [name, tail, params] of shapes) {
    const rows = db
      .prepare(`EXPLAIN QUERY PLAN SELECT ${columns} FROM aggregates ${tail}`)
      .all(...params) as Array<{ detail: string }>
    console.log(`  plan, ${name}: ${rows.map((r) => r.detail).join('; ')}`)
  }
  db.close()
}

async function listFigures(folder: string, n: number): Promise<void> {
  const path = join(folder, `list-${n}.sqlite`)
  // A file left by an earlier run is measured again as it is.
  const [seedMs] = await timed(async () => {
    if (!existsSync(path)) await seedAggregates(path, n)
  })
  console.log(
    `listAggregates over ${n.toLocaleString('en-US')} aggregates (seeded in ${ms(seedMs)})`,
  )
  plans(path)
  const s = serviceOn(path, 100)
  try {
    await s.call('connect', { kind: 'sqlite', path })
    const [cold, first] = await timed(() => s.call('listAggregates', { limit: 100 }))
    console.log(`  first page, cold connection: ${ms(cold)} (total ${first.total})`)
    const sample = async (label: string, request: RequestOf<'listAggregates'>) => {
      const times: number[] = []
      for (let i = 0; i < 20; i++)
        times.push((await timed(() => s.call('listAggregates', request)))[0])
      console.log(`  ${label}: p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}`)
    }
    await sample('first page, warm (recent)', { limit: 100 })
    await sample('from the end (recent)', { limit: 100, from: 'end' })
    await sample('first page (id)', { limit: 100, order: 'id' })
    await sample('from the end (id)', { limit: 100, order: 'id', from: 'end' })
    await sample('next page (recent)', { limit: 100, pageToken: first.nextPageToken! })
    const id = first.items[0]!.id
    for (let length = 1; length <= 4; length++) {
      await sample(`prefix '${id.slice(0, length)}' (recent)`, {
        limit: 100,
        idPrefix: id.slice(0, length),
      })
    }
    await sample(`prefix '${id.slice(0, 2)}' from the end (id)`, {
      limit: 100,
      idPrefix: id.slice(0, 2),
      order: 'id',
      from: 'end',
    })
    await sample('type (recent)', { limit: 100, type: 'example#ExampleAggregateRoot' })
  } finally {
    await s.close()
  }
}

/** A copy of the file without its snapshots (the same history, replayed from creation). */
function withoutSnapshots(from: string, to: string): void {
  copyFileSync(from, to)
  const db = new Database(to)
  db.exec('DELETE FROM snapshots')
  db.close()
}

async function scrubFigures(folder: string, events: number, snapshotPeriod: number): Promise<void> {
  const path = join(folder, `scrub-${events}-${snapshotPeriod}.sqlite`)
  const withSnapshots = join(folder, `scrub-${events}-100.sqlite`)
  if (snapshotPeriod === 0 && !existsSync(path) && existsSync(withSnapshots))
    withoutSnapshots(withSnapshots, path)
  const s = serviceOn(path, snapshotPeriod)
  try {
    await s.call('connect', { kind: 'sqlite', path })
    const [seedMs] = await timed(async () => {
      if ((await s.call('listAggregates', { limit: 1 })).total === 0)
        await s.call('seedDemoData', { aggregates: 1, events, taskId: 'seed' })
    })
    const id = (await s.call('listAggregates', { limit: 1 })).items[0]!.id
    const label = snapshotPeriod === 0 ? 'no snapshots' : `snapshots every ${snapshotPeriod}`
    console.log(
      `getAggregate, one aggregate of ${events.toLocaleString('en-US')} events, ${label} (seeded in ${ms(seedMs)})`,
    )
    const [markersMs, markers] = await timed(() => s.call('listSnapshotVersions', { id }))
    console.log(`  listSnapshotVersions: ${markers.versions.length} versions in ${ms(markersMs)}`)
    const scrub = async (what: string) => {
      const times: number[] = []
      const server: number[] = []
      let replayed = 0
      for (let i = 0; i < SCRUBS; i++) {
        const at = Math.floor(Math.random() * events)
        const [t, view] = await timed(() => s.call('getAggregate', { id, at }))
        times.push(t)
        server.push(lastServerMs)
        replayed += view.eventsReplayed
      }
      console.log(
        `  scrub ${what}: service p50 ${ms(percentile(server, 50))}, p95 ${ms(percentile(server, 95))}; with the client's validation p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))} (${(replayed / SCRUBS).toFixed(0)} events replayed on average)`,
      )
    }
    if (snapshotPeriod > 0) await scrub('before any full load')
    const [loadMs, view] = await timed(() => s.call('getAggregate', { id }))
    console.log(`  full load: ${ms(loadMs)} (${view.eventsReplayed} events replayed)`)
    await scrub('after it')
  } finally {
    await s.close()
  }
}

const { values } = parseArgs({
  options: {
    folder: { type: 'string' },
    aggregates: { type: 'string', default: '100000' },
    events: { type: 'string', default: '100000' },
    only: { type: 'string' },
  },
})
const folder = values.folder ?? mkdtempSync(join(tmpdir(), 'eventscope-figures-'))
const only = values.only
if (only === undefined || only === 'list') await listFigures(folder, Number(values.aggregates))
if (only === undefined || only === 'scrub') {
  await scrubFigures(folder, Number(values.events), 100)
  await scrubFigures(folder, Number(values.events), 0)
}
