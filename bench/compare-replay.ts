/**
 * Replay of one 10,000-event aggregate from SQLite, compared across implementations:
 *
 *   Eventscope        repository.replay (snapshots off, hash check on as by default), plain and
 *                     with AES-GCM; plus the same with the hash check off, for reference
 *   Python            eventsourcing 9.x repository.get, plain and with its AES cipher
 *                     (bench/python/replay.py in a child process, driven line by line)
 *   Emmett            @event-driven-io/emmett-sqlite aggregateStream with an evolve function
 *   raw driver        better-sqlite3 .raw().all() of Eventscope's rows + JSON.parse of each state
 *
 * Each library reads rows that it wrote itself, in its own schema, with the same event content
 * (see bench/README.md for the payload sizes, which are also printed). Runs are interleaved
 * round-robin across the implementations (so a noisy neighbour hits all of them alike); the
 * table gives the median of `runs` after `warm-up` rounds.
 *
 *   bash bench/setup-compare.sh        # once: Python venv + Emmett into .cache/ (git-ignored)
 *   TSX_TSCONFIG_PATH=tsconfig.node.json node --expose-gc --import tsx bench/compare-replay.ts [events] [runs] [warmup]
 *
 * Missing comparison tools are reported and skipped, never installed from here.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { Repository } from '../electron/eventsourcing'
import type { EverythingApplication } from '../electron/example/everythingApplication'
import { buildReplayFixture } from './fixture'
import { emmettMissing, openEmmett, type EmmettEvent } from './lib/emmett'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const VENV_PYTHON = join(ROOT, '.cache/py-venv/bin/python')

const count = Number(process.argv[2] ?? 10_000)
const runs = Math.max(7, Number(process.argv[3] ?? 9))
const warmup = Number(process.argv[4] ?? 2)
const folder = mkdtempSync(join(tmpdir(), 'eventscope-compare-'))
const gc = (globalThis as { gc?: () => void }).gc

interface Contender {
  readonly label: string
  /** Average stored payload per event, as the library stores it. */
  readonly bytes: string
  /** One timed replay, in ms (the contender may time itself, e.g. in another process). */
  run(): Promise<number>
  close(): Promise<void>
}

const hexOf = (i: number): string => createHash('sha256').update(String(i)).digest('hex')

// ---------------------------------------------------------------------------------------------
// Eventscope

interface EventscopeBuilt {
  app: EverythingApplication
  id: string
  path: string
}

async function buildEventscope(name: string, cipher: boolean): Promise<EventscopeBuilt> {
  const path = join(folder, `eventscope-${name}.sqlite`)
  // Python's eventsourcing has no compressor unless told: compare like with like.
  const { app, id } = await buildReplayFixture({ path, count, cipher, compress: false })
  return { app, id, path }
}

function avgBytes(path: string, sql: string): number {
  const db = new Database(path, { timeout: 10_000 })
  try {
    return (db.prepare(sql).raw().get() as [number])[0]
  } finally {
    db.close()
  }
}

function eventscope(label: string, built: EventscopeBuilt, verifyHashes: boolean): Contender {
  // A second repository over the same event store when the hash check is off (reference row).
  const repository = verifyHashes
    ? built.app.repository
    : new Repository(built.app.eventStore, undefined, { verifyHashes: false })
  return {
    label,
    bytes: `${avgBytes(built.path, 'SELECT avg(length(state)) FROM events').toFixed(0)} B state`,
    async run() {
      const t0 = process.hrtime.bigint()
      const { aggregate } = await repository.replay(built.id)
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (aggregate?.version !== count - 1) throw new Error(`${label}: replay incomplete`)
      return ms
    },
    close: async () => {},
  }
}

// ---------------------------------------------------------------------------------------------
// Raw driver floor: the same rows Eventscope wrote, no library code.

function rawFloor(built: EventscopeBuilt): Contender {
  const db = new Database(built.path, { readonly: true })
  const select = db
    .prepare(
      'SELECT originator_id, originator_version, topic, state FROM events WHERE originator_id = ? ORDER BY originator_version ASC',
    )
    .raw(true)
  return {
    label: 'raw better-sqlite3 .raw().all() + JSON.parse',
    bytes: `${avgBytes(built.path, 'SELECT avg(length(state)) FROM events').toFixed(0)} B state`,
    async run() {
      const t0 = process.hrtime.bigint()
      const rows = select.all(built.id) as [string, number, string, Buffer][]
      let last: unknown
      for (let i = 0; i < rows.length; i++) last = JSON.parse(rows[i]![3].toString('utf8', 1))
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (rows.length !== count || last === undefined) throw new Error('raw read incomplete')
      return ms
    },
    close: async () => {
      db.close()
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Python eventsourcing, in a child process that answers "get" lines.

async function python(label: string, cipher: boolean): Promise<Contender | string> {
  if (!existsSync(VENV_PYTHON)) return 'no .cache/py-venv (run: bash bench/setup-compare.sh)'
  const child: ChildProcessWithoutNullStreams = spawn(
    VENV_PYTHON,
    [
      join(ROOT, 'bench/python/replay.py'),
      '--serve',
      '--events',
      String(count),
      '--db',
      join(folder, `python-${cipher ? 'aes' : 'plain'}.sqlite`),
      ...(cipher ? ['--cipher'] : []),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next()
    if (done) throw new Error(`python exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
    return JSON.parse(value as string) as Record<string, unknown>
  }
  let ready: Record<string, unknown>
  try {
    ready = await next()
  } catch (error) {
    return (error as Error).message
  }
  pythonVersion = `${ready['library'] as string} on Python ${ready['python'] as string}`
  return {
    label,
    bytes: `${Number(ready['avgStateBytes']).toFixed(0)} B state`,
    async run() {
      child.stdin.write('get\n')
      return (await next())['ms'] as number
    },
    async close() {
      child.stdin.end('quit\n')
      await new Promise((r) => child.once('exit', r))
    },
  }
}
let pythonVersion = ''

// ---------------------------------------------------------------------------------------------
// Emmett (@event-driven-io/emmett-sqlite, on node-sqlite3), from .cache/bench-node.

let emmettVersion = ''

async function emmett(): Promise<Contender | string> {
  const missing = emmettMissing()
  if (missing) return missing
  const path = join(folder, 'emmett.sqlite')
  // One shared connection (Emmett's per-call connections fail appends with SQLITE_BUSY here).
  const { store, version, close } = await openEmmett(path)
  emmettVersion = version
  const stream = `example-${randomUUID()}`
  // The same event content as Eventscope's states: name, value, timestamp, previous hash, hash.
  let batch: EmmettEvent[] = [
    {
      type: 'Created',
      data: {
        foo: 'start',
        timestamp: new Date().toISOString(),
        previousHash: '',
        originatorTopic: 'example#ExampleAggregateRoot',
        hash: hexOf(0),
      },
    },
  ]
  for (let i = 1; i < count; i++) {
    batch.push({
      type: 'AttributeChanged',
      data: {
        name: '_foo',
        value: `value ${i}`,
        timestamp: new Date().toISOString(),
        previousHash: hexOf(i - 1),
        hash: hexOf(i),
      },
    })
    if (i % 1000 === 0) {
      await store.appendToStream(stream, batch)
      batch = []
    }
  }
  if (batch.length) await store.appendToStream(stream, batch)
  type State = { foo: string; version: number }
  const evolve = (state: State, event: EmmettEvent): State =>
    event.type === 'Created'
      ? { foo: event.data['foo'] as string, version: 0 }
      : {
          ...state,
          [String(event.data['name']).slice(1)]: event.data['value'],
          version: state.version + 1,
        }
  const data = avgBytes(path, 'SELECT avg(length(message_data)) FROM emt_messages')
  const meta = avgBytes(path, 'SELECT avg(length(message_metadata)) FROM emt_messages')
  return {
    label: 'Emmett aggregateStream + evolve',
    bytes: `${data.toFixed(0)} B data + ${meta.toFixed(0)} B metadata`,
    async run() {
      const t0 = process.hrtime.bigint()
      const { state } = await store.aggregateStream<State>(stream, {
        evolve,
        initialState: () => ({ foo: '', version: -1 }),
      })
      const ms = Number(process.hrtime.bigint() - t0) / 1e6
      if (state.version !== count - 1)
        throw new Error(`Emmett: replay incomplete (${state.version})`)
      return ms
    },
    close: async () => close(),
  }
}

// ---------------------------------------------------------------------------------------------

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

async function main(): Promise<void> {
  console.log(`building ${count.toLocaleString('en')}-event aggregates in ${folder} ...`)
  const plain = await buildEventscope('plain', false)
  const aes = await buildEventscope('aes', true)
  const contenders: Contender[] = [
    eventscope('Eventscope replay (hash check on)', plain, true),
    eventscope('Eventscope replay, AES-GCM (hash check on)', aes, true),
    eventscope('Eventscope replay, hash check off', plain, false),
  ]
  const skipped: string[] = []
  const add = (c: Contender | string, what: string): void => {
    if (typeof c === 'string') skipped.push(`${what}: ${c}`)
    else contenders.push(c)
  }
  add(await python('Python eventsourcing repository.get', false), 'Python eventsourcing')
  add(await python('Python eventsourcing repository.get, AES', true), 'Python eventsourcing (AES)')
  add(await emmett(), 'Emmett')
  contenders.push(rawFloor(plain))

  const times = new Map<Contender, number[]>(contenders.map((c) => [c, []]))
  for (let round = 0; round < warmup + runs; round++) {
    for (const c of contenders) {
      gc?.()
      const ms = await c.run()
      if (round >= warmup) times.get(c)!.push(ms)
    }
    process.stdout.write(`\rround ${round + 1}/${warmup + runs}`)
  }
  process.stdout.write('\n\n')

  const med = new Map(contenders.map((c) => [c, median(times.get(c)!)]))
  const base = med.get(contenders[0]!)!
  const header = `| ${'implementation'.padEnd(44)} | ${'median ms'.padStart(9)} | ${'min ms'.padStart(8)} | ${'events/s'.padStart(10)} | ${'× Eventscope'.padStart(12)} | payload per event`
  console.log(header)
  console.log(
    `|${'-'.repeat(46)}|${'-'.repeat(11)}|${'-'.repeat(10)}|${'-'.repeat(12)}|${'-'.repeat(14)}|${'-'.repeat(30)}`,
  )
  for (const c of contenders) {
    const m = med.get(c)!
    const min = Math.min(...times.get(c)!)
    console.log(
      `| ${c.label.padEnd(44)} | ${m.toFixed(1).padStart(9)} | ${min.toFixed(1).padStart(8)} | ${Math.round(
        count / (m / 1000),
      )
        .toLocaleString('en')
        .padStart(10)} | ${(m / base).toFixed(2).padStart(12)} | ${c.bytes}`,
    )
  }
  console.log(
    `\n× Eventscope: median / median of "${contenders[0]!.label}" (above 1 = slower than Eventscope).` +
      `\nmedians of ${runs} interleaved rounds after ${warmup} warm-up; ${count.toLocaleString('en')} events; node ${process.version}${gc ? ', gc() before each run' : ''}` +
      (pythonVersion ? `; ${pythonVersion}` : '') +
      (emmettVersion ? `; emmett-sqlite ${emmettVersion}` : ''),
  )
  const find = (prefix: string): number | undefined => {
    const c = contenders.find((x) => x.label === prefix)
    return c ? med.get(c) : undefined
  }
  const ratio = (a?: number, b?: number): string => (a && b ? `×${(a / b).toFixed(2)}` : 'n/a')
  const esAes = find('Eventscope replay, AES-GCM (hash check on)')
  const pyPlain = find('Python eventsourcing repository.get')
  const pyAes = find('Python eventsourcing repository.get, AES')
  console.log(
    [
      `Python / Eventscope: plain ${ratio(pyPlain, base)}, AES ${ratio(pyAes, esAes)}`,
      `Emmett / Eventscope: ${ratio(find('Emmett aggregateStream + evolve'), base)}`,
      `Eventscope / raw floor: ${ratio(base, find('raw better-sqlite3 .raw().all() + JSON.parse'))}`,
      `encryption costs: Eventscope ${ratio(esAes, base)}, Python ${ratio(pyAes, pyPlain)}`,
      `hash check costs Eventscope ${ratio(base, find('Eventscope replay, hash check off'))}`,
    ].join('\n'),
  )
  for (const s of skipped) console.log(`skipped ${s}`)

  for (const c of contenders) await c.close()
  await plain.app.close()
  await aes.app.close()
  rmSync(folder, { recursive: true, force: true })
}

await main()
