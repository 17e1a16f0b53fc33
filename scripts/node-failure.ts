/**
 * A Cassandra node dies mid-run and nothing is lost: a resilience check of the Cassandra store
 * on a real three-node cluster on loopback (replication factor 3, QUORUM/SERIAL).
 *
 *   npx tsx --tsconfig tsconfig.node.json scripts/node-failure.ts [options]
 *
 * Starts three nodes with scripts/cassandra.sh in their own home and on their own ports (so a
 * single node on 127.0.0.1:9042 keeps running beside them), or uses the cluster named by
 * CASSANDRA_CONTACT_POINTS. Creates a fresh keyspace through `openStore` (the Cassandra store) with
 * `replicationFactor: 3`, then runs an EverythingApplication with 8 writers
 * racing on one aggregate and more writers spread over many aggregates. Each writer: load, set
 * `foo` to a value no other change uses, save; on ConcurrencyError reload and retry; on any other
 * failure read back (after a SERIAL read settles Paxos) whether the change landed, and retry the
 * same logical change only if it did not. One non-seed node is SIGKILLed mid-run (its pid from
 * the script's pid file); writing goes on; then a fresh client verifies that every acknowledged
 * change is stored exactly once, versions are contiguous, hash chains verify on replay, the log
 * and the aggregate index list every stored batch and aggregate, and nothing else (no phantom).
 *
 * Exit code 0 only if nothing was lost and nothing phantom appeared; 1 if a check failed; 2 if
 * the run could not be set up. A cluster this script started is stopped at the end (--keep to
 * leave it). See docs/resilience.md.
 *
 * Options (defaults in brackets):
 *   --duration S        seconds of writing [120]      --kill-after S   kill the node then [40]
 *   --hot-writers N     writers on one aggregate [8]  --spread-writers N  on many aggregates [4]
 *   --aggregates N      spread aggregates before the run [24]; spread writers also create more
 *   --kill-node I       index of the node to kill (not 1, the seed) [the last]
 *   --no-kill           baseline run without a failure  --keep  leave the cluster running
 *   --port P  --storage-port P   native / storage port of the three nodes [9142 / 7100]
 *   --home DIR          EVENTSCOPE_CASSANDRA_HOME for the cluster [<repo>/.cassandra/node-failure]
 *   --request-timeout MS  the store's requestTimeoutMs [library default, 12000]
 *   --json FILE         also write the figures as JSON
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import cassandra from 'cassandra-driver'
import {
  type CassandraApplicationRecorder,
  type CassandraSettings,
  ConcurrencyError,
  openStore,
  type DomainEvent,
  type LogEntry,
  type Store,
  StoreUnavailable,
} from '../electron/eventsourcing'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { ExampleAggregateRoot } from '../electron/example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SCRIPT = join(REPO, 'scripts', 'cassandra.sh')
const VERSION = process.env.CASSANDRA_VERSION || '5.0.8'
const LOCAL_DC = process.env.CASSANDRA_LOCAL_DC || 'datacenter1'
const AGGREGATE_TOPIC = 'example#ExampleAggregateRoot'
/** How long writers may take to settle their last change after the write phase. */
const SETTLE_LIMIT_MS = 180_000

// --- options -----------------------------------------------------------------------------------

const { values: opts } = parseArgs({
  options: {
    duration: { type: 'string', default: '120' },
    'kill-after': { type: 'string', default: '40' },
    'hot-writers': { type: 'string', default: '8' },
    'spread-writers': { type: 'string', default: '4' },
    aggregates: { type: 'string', default: '24' },
    'kill-node': { type: 'string' },
    'no-kill': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    port: { type: 'string', default: '9142' },
    'storage-port': { type: 'string', default: '7100' },
    home: { type: 'string' },
    'request-timeout': { type: 'string' },
    json: { type: 'string' },
  },
})

function int(name: string, value: string | undefined, min = 0): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, not '${value}'`)
    process.exit(2)
  }
  return n
}

const durationS = int('duration', opts.duration, 1)
const killAfterS = int('kill-after', opts['kill-after'])
const hotWriters = int('hot-writers', opts['hot-writers'], 1)
const spreadWriters = int('spread-writers', opts['spread-writers'])
const initialAggregates = int('aggregates', opts.aggregates)
const nativePort = int('port', opts.port, 1)
const storagePort = int('storage-port', opts['storage-port'], 1)
const home = resolve(
  opts.home ?? process.env.EVENTSCOPE_CASSANDRA_HOME ?? join(REPO, '.cassandra', 'node-failure'),
)
const requestTimeoutMs =
  opts['request-timeout'] === undefined
    ? undefined
    : int('request-timeout', opts['request-timeout'], 1)
const kill = !opts['no-kill']
if (kill && killAfterS >= durationS) {
  console.error(`--kill-after (${killAfterS}) must be less than --duration (${durationS})`)
  process.exit(2)
}

// --- output ------------------------------------------------------------------------------------

const t0 = Date.now()
const secs = (ms: number): string => (ms / 1000).toFixed(1)
const say = (msg: string): void => console.log(`[${secs(Date.now() - t0).padStart(6)} s] ${msg}`)
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

class SetupError extends Error {}

// --- the cluster -------------------------------------------------------------------------------

interface Node {
  readonly index: number
  readonly address: string
  readonly port: number
  readonly dir: string
}

const clusterEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVENTSCOPE_CASSANDRA_HOME: home,
    CASSANDRA_PORT: String(nativePort),
    CASSANDRA_STORAGE_PORT: String(storagePort),
  }
  delete env.CASSANDRA_CONTACT_POINTS
  delete env.CASSANDRA_LISTEN_ADDRESS
  return env
}

/** Runs scripts/cassandra.sh with this run's home and ports, its output indented. */
function runScript(args: string[]): Promise<number> {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      env: clusterEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line) console.log(`    ${line}`)
    }
    child.stdout.on('data', relay)
    child.stderr.on('data', relay)
    child.on('close', (code) => resolvePromise(code ?? 1))
  })
}

function readNodes(): Node[] {
  const file = join(home, 'run', 'nodes')
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [i, address, port, dir] = line.trim().split(/\s+/)
      return { index: Number(i), address: address!, port: Number(port), dir: dir! }
    })
}

/** The pid of the node if it is alive and is the CassandraDaemon the script started in its folder. */
function nodePid(node: Node): number | undefined {
  const file = join(node.dir, 'cassandra.pid')
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z') return undefined
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
    return cmdline.includes(`-Dcassandra.storagedir=${node.dir}`) ? pid : undefined
  } catch {
    return undefined
  }
}

function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return true
  }
}

/** Reuses the project's jar cache (a symlink) so a new home does not download 67 MB again. */
function shareJars(): void {
  const mine = join(home, `lib-${VERSION}`)
  const shared = join(REPO, '.cassandra', `lib-${VERSION}`)
  if (
    existsSync(join(mine, '.complete')) ||
    !existsSync(join(shared, '.complete')) ||
    existsSync(mine)
  )
    return
  mkdirSync(home, { recursive: true })
  symlinkSync(shared, mine)
  say(`jar cache: ${mine} -> ${shared}`)
}

let startedCluster = false

async function startCluster(): Promise<void> {
  const live = readNodes().filter((n) => nodePid(n) !== undefined)
  if (live.length > 0) {
    throw new SetupError(
      `${live.length} node(s) from an earlier run are still running in ${home} (pid ${live.map(nodePid).join(' ')}); ` +
        `stop them with: EVENTSCOPE_CASSANDRA_HOME=${home} CASSANDRA_PORT=${nativePort} bash scripts/cassandra.sh stop` +
        ` — or use them: CASSANDRA_CONTACT_POINTS=${live.map((n) => `${n.address}:${n.port}`).join(',')}`,
    )
  }
  shareJars()
  say(`starting 3 nodes (home ${home}, native port ${nativePort}, storage port ${storagePort})`)
  const begun = Date.now()
  startedCluster = true // from here on, stop whatever the script launched
  const rc = await runScript(['start', '--nodes', '3'])
  if (rc !== 0) throw new SetupError(`scripts/cassandra.sh start --nodes 3 failed (exit ${rc})`)
  say(`cluster up in ${secs(Date.now() - begun)} s`)
}

async function stopCluster(): Promise<void> {
  if (!startedCluster) return
  startedCluster = false
  if (opts.keep) {
    say(
      `--keep: the cluster stays up; stop it with: EVENTSCOPE_CASSANDRA_HOME=${home} CASSANDRA_PORT=${nativePort} bash scripts/cassandra.sh stop`,
    )
    return
  }
  say('stopping the cluster this run started')
  await runScript(['stop'])
}

// --- the ledger --------------------------------------------------------------------------------

interface Change {
  readonly id: string
  readonly value: string
  readonly writer: string
  readonly kind: 'create' | 'change'
  attempts: number
  status: 'pending' | 'acked' | 'in-doubt'
  how?: 'direct' | 'read-back'
  version?: number
}

const changes = new Map<string, Change>() // by value
const aggregateIds = new Set<string>() // every aggregate a writer tried to create
const problems: string[] = []
const stats = {
  saves: 0,
  retries: 0,
  conflicts: 0,
  unavailable: 0,
  unmapped: 0,
  loadFailures: 0,
  readBacks: 0,
  landedDespiteError: 0,
  storedButSaveRejected: 0,
  confirmFailures: 0,
  dropFailures: 0,
}
const errorKinds = new Map<string, number>()
/** Failures the recorder swallows (confirm after the events, drop after a conflict), by kind. */
const swallowed = new Map<string, number>()
type Mark = {
  t: number
  kind: 'ack' | 'conflict' | 'error'
  writer: string
  hot: boolean
  error?: string
}
const marks: Mark[] = []
let killedAt: number | undefined
let writeStart = 0

function note(kind: Mark['kind'], writer: string, hot: boolean, error?: string): void {
  marks.push({ t: Date.now(), kind, writer, hot, ...(error === undefined ? {} : { error }) })
}
/** Paxos contention on the hot partition: a steady state on 2 cores, not caused by the failure. */
const CONTENTION = 'StoreUnavailable: writeTimeout (CAS)'
/** What rejected save() after its events were stored. */
const rejectedAfterStore: string[] = []

function errorKind(error: unknown): string {
  const e = error as Error & { cause?: unknown }
  const detail = (x: unknown): string => {
    if (x instanceof cassandra.errors.ResponseError) {
      const code =
        Object.entries(cassandra.types.responseErrorCodes).find(([, v]) => v === x.code)?.[0] ??
        x.code
      const wt = (x as { writeType?: string }).writeType
      return `${String(code)}${wt ? ` (${wt})` : ''}`
    }
    if (x instanceof cassandra.errors.OperationTimedOutError) return 'client-side timeout'
    if (x instanceof cassandra.errors.NoHostAvailableError) return 'no host available'
    if (x instanceof Error) return `${x.name}: ${x.message.split('\n')[0]!.slice(0, 60)}`
    return String(x)
  }
  if (e instanceof StoreUnavailable) {
    if (/too slow/.test(e.message)) return 'StoreUnavailable: too slow (intent dropped)'
    return `StoreUnavailable: ${e.cause === undefined ? e.message.slice(0, 60) : detail(e.cause)}`
  }
  return `unmapped ${detail(e)}`
}

function failure(error: unknown, writer: string, hot: boolean): void {
  const kind = errorKind(error)
  errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1)
  if (error instanceof StoreUnavailable) stats.unavailable++
  else if (error instanceof cassandra.errors.DriverError) stats.unmapped++
  else problems.push(`${writer}: unexpected ${kind}`)
  note('error', writer, hot, kind)
}

const backoff = (n: number): number =>
  Math.min(2000, 100 * 2 ** Math.min(n, 5)) * (0.5 + Math.random())

// --- the writers -------------------------------------------------------------------------------

type App = EverythingApplication
/** Events the save stored: tells "stored, then save() failed" from "not stored". */
const persisted = new WeakSet<DomainEvent>()

function valueOf(event: DomainEvent): unknown {
  if (event instanceof ExampleAggregateRoot.AttributeChanged) return event.value
  if (event instanceof ExampleAggregateRoot.Created)
    return (event as unknown as { foo: unknown }).foo
  return undefined
}

/** A SERIAL read of the partition: completes any Paxos round left in flight by a timed-out write. */
async function settle(store: Store, keyspace: string, id: string): Promise<void> {
  const { session } = store.events as CassandraApplicationRecorder
  await session.execute(
    `SELECT originator_version FROM ${keyspace}.events WHERE originator_id = ? LIMIT 1`,
    [id],
    {
      consistency: cassandra.types.consistencies.serial,
    },
  )
}

class Writers {
  giveUpAt = Number.POSITIVE_INFINITY

  constructor(
    readonly app: App,
    readonly store: Store,
    readonly keyspace: string,
  ) {}

  private async stored(change: Change, after: number): Promise<number[]> {
    stats.readBacks++
    await settle(this.store, this.keyspace, change.id)
    const events = await this.app.eventStore.list(change.id, after >= 0 ? { gt: after } : {})
    return events.filter((e) => valueOf(e) === change.value).map((e) => e.originatorVersion)
  }

  private acked(
    change: Change,
    version: number,
    how: 'direct' | 'read-back',
    hot: boolean,
    found = 1,
  ): void {
    change.status = 'acked'
    change.how = how
    change.version = version
    if (how === 'read-back') stats.landedDespiteError++
    if (found > 1) problems.push(`${change.value} found ${found} times by its writer's read-back`)
    note('ack', change.writer, hot)
  }

  /** Creates an aggregate; retries the same Created event until it is known to be stored. */
  async create(writer: string, value: string, hot = false): Promise<string | undefined> {
    const aggregate = this.app.createExampleAggregate(value)
    const batch = [...aggregate.pendingEvents]
    const change: Change = {
      id: aggregate.id,
      value,
      writer,
      kind: 'create',
      attempts: 0,
      status: 'pending',
    }
    changes.set(value, change)
    aggregateIds.add(aggregate.id)
    let doubt = false
    let failures = 0
    while (Date.now() < this.giveUpAt) {
      try {
        if (doubt) {
          const found = await this.stored(change, -1)
          if (found.length) {
            this.acked(change, found[0]!, 'read-back', hot, found.length)
            return change.id
          }
        }
        change.attempts++
        stats.saves++
        if (change.attempts > 1) stats.retries++
        try {
          // A failed save puts the batch back as pending: the retry stores the same events.
          await this.app.save(aggregate)
          this.acked(change, 0, 'direct', hot)
          return change.id
        } catch (error) {
          if (persisted.has(batch[0]!)) {
            stats.storedButSaveRejected++
            rejectedAfterStore.push(String((error as Error).message).slice(0, 200))
          }
          doubt = true
          if (error instanceof ConcurrencyError) {
            stats.conflicts++ // only an earlier attempt of ours can hold version 0 of a new id
            note('conflict', writer, hot)
            continue
          }
          throw error
        }
      } catch (error) {
        failure(error, writer, hot)
        await sleep(backoff(++failures))
      }
    }
    change.status = 'in-doubt'
    return undefined
  }

  /** Load, set foo, save; reload on conflict; after any other failure, read back before retrying. */
  async change(writer: string, id: string, value: string, hot: boolean): Promise<void> {
    const change: Change = { id, value, writer, kind: 'change', attempts: 0, status: 'pending' }
    changes.set(value, change)
    let doubtAfter: number | undefined // versions above this may hold an earlier attempt
    let failures = 0
    while (Date.now() < this.giveUpAt) {
      try {
        if (doubtAfter !== undefined) {
          const found = await this.stored(change, doubtAfter)
          if (found.length) {
            this.acked(change, found[0]!, 'read-back', hot, found.length)
            return
          }
        }
        let handle: ExampleAggregateRoot
        try {
          handle = await this.app.repository.get<ExampleAggregateRoot>(id)
        } catch (error) {
          stats.loadFailures++
          throw error
        }
        handle.foo = value
        const version = handle.version
        const event = handle.pendingEvents[handle.pendingEvents.length - 1]!
        change.attempts++
        stats.saves++
        if (change.attempts > 1) stats.retries++
        try {
          await handle.save()
          this.acked(change, version, 'direct', hot)
          return
        } catch (error) {
          if (error instanceof ConcurrencyError) {
            stats.conflicts++
            note('conflict', writer, hot)
            await sleep(Math.random() * 10)
            continue
          }
          if (persisted.has(event)) {
            stats.storedButSaveRejected++
            rejectedAfterStore.push(String((error as Error).message).slice(0, 200))
          }
          doubtAfter = Math.min(doubtAfter ?? Number.POSITIVE_INFINITY, version - 1)
          throw error
        }
      } catch (error) {
        failure(error, writer, hot)
        await sleep(backoff(++failures))
      }
    }
    change.status = 'in-doubt'
  }
}

// --- verification ------------------------------------------------------------------------------

interface Verification {
  failures: string[]
  warnings: string[]
  figures: Record<string, number | string>
}

async function verify(settings: CassandraSettings, writeEnd: number): Promise<Verification> {
  const failures: string[] = []
  const warnings: string[] = []
  const figures: Record<string, number | string> = {}
  const fail = (msg: string): void => {
    if (failures.length < 200) failures.push(msg)
  }
  const store = await openStore({ kind: 'cassandra', ...settings })
  const app = new EverythingApplication({
    store,
    cipherKey: SEED_CIPHER_KEY,
  })
  try {
    const ks = settings.keyspace
    const { session } = store.events as CassandraApplicationRecorder

    // Intents left unconfirmed before any reader repairs them (counted only).
    let pending = 0
    for await (const rows of session.pages(`SELECT status FROM ${ks}.event_log`, [])) {
      for (const row of rows) if (row['status'] !== 1) pending++
    }
    figures.pendingIntentsAtEnd = pending
    say(`verify: ${pending} log row(s) still pending (intents) before readers repair them`)

    // Events, replay, snapshots.
    const stored = new Map<string, number>() // id -> last version
    const lists = new Map<string, DomainEvent[]>()
    let events = 0
    for (const id of aggregateIds) {
      const list = await app.eventStore.list(id)
      if (list.length === 0) continue
      events += list.length
      stored.set(id, list.length - 1)
      lists.set(id, list)
      list.forEach((e, i) => {
        if (e.originatorVersion !== i)
          fail(`${id}: version ${e.originatorVersion} at position ${i} (not contiguous)`)
      })
      const seen = new Map<unknown, number[]>()
      list.forEach((e) =>
        seen.set(valueOf(e), [...(seen.get(valueOf(e)) ?? []), e.originatorVersion]),
      )
      for (const [value, versions] of seen) {
        const change = typeof value === 'string' ? changes.get(value) : undefined
        if (!change || change.id !== id)
          fail(`${id}: phantom event(s) at ${versions.join(',')} (value ${String(value)})`)
        else if (versions.length > 1)
          fail(
            `${id}: change ${String(value)} stored ${versions.length} times (${versions.join(',')})`,
          )
        else if (change.status !== 'acked')
          warnings.push(`${id}: ${String(value)} stored though its writer gave up on it`)
      }
      const plain = await app.repository.replay(id, { useSnapshots: false })
      const fast = await app.repository.replay(id)
      const last = valueOf(list[list.length - 1]!)
      for (const [how, r] of [
        ['without', plain],
        ['with', fast],
      ] as const) {
        const a = r.aggregate as ExampleAggregateRoot | undefined
        if (!a || a.version !== list.length - 1 || a.foo !== last) {
          fail(
            `${id}: replay ${how} snapshots gives version ${a?.version} foo ${String(a?.foo)}, events end at ${list.length - 1} ${String(last)}`,
          )
        }
      }
      const snaps = await store.snapshots.select(id)
      for (const s of snaps)
        if (s.originatorVersion > list.length - 1)
          fail(`${id}: phantom snapshot at version ${s.originatorVersion}`)
    }
    figures.aggregatesStored = stored.size
    figures.eventsStored = events
    let acked = 0
    for (const change of changes.values()) {
      if (change.status !== 'acked') continue
      acked++
      const last = stored.get(change.id)
      if (last === undefined || change.version! > last) {
        fail(
          `LOST: ${change.kind} ${change.value} acknowledged at version ${change.version} of ${change.id}, not stored`,
        )
      }
    }
    // Exactly-once and the acknowledged version, from the events themselves.
    for (const [id, list] of lists) {
      const at = new Map(list.map((e) => [valueOf(e), e.originatorVersion]))
      for (const change of changes.values()) {
        if (change.id !== id || change.status !== 'acked') continue
        const v = at.get(change.value)
        if (v === undefined)
          fail(`LOST: ${change.value} acknowledged (${change.how}) but absent from ${id}`)
        else if (v !== change.version)
          fail(`${change.value} acknowledged at version ${change.version}, stored at ${v}`)
      }
    }
    say(
      `verify: ${acked} acknowledged changes checked against ${events} events of ${stored.size} aggregates; replays verified hash chains`,
    )

    // The application log, newest first (skips in-flight intents), then oldest first.
    const cover = (entries: LogEntry[], label: string, report: (m: string) => void): void => {
      const covered = new Map<string, number[]>()
      const positions = new Set<string>()
      for (const e of entries) {
        if (positions.has(e.position)) report(`log (${label}): position ${e.position} listed twice`)
        positions.add(e.position)
        const last = stored.get(e.originatorId)
        if (
          last === undefined ||
          e.toVersion > last ||
          e.fromVersion < 0 ||
          e.fromVersion > e.toVersion
        ) {
          report(`log (${label}): phantom entry ${e.originatorId} ${e.fromVersion}..${e.toVersion}`)
          continue
        }
        const counts = covered.get(e.originatorId) ?? new Array<number>(last + 1).fill(0)
        for (let v = e.fromVersion; v <= e.toVersion; v++) counts[v]!++
        covered.set(e.originatorId, counts)
      }
      for (const [id, last] of stored) {
        const counts = covered.get(id) ?? new Array<number>(last + 1).fill(0)
        const missing = counts.flatMap((c, v) => (c === 0 ? [v] : []))
        const twice = counts.flatMap((c, v) => (c > 1 ? [v] : []))
        if (missing.length)
          report(
            `log (${label}): ${id} versions ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''} not listed (${missing.length})`,
          )
        if (twice.length)
          report(
            `log (${label}): ${id} versions ${twice.slice(0, 10).join(',')} listed more than once`,
          )
      }
    }
    const readLog = async (desc: boolean): Promise<LogEntry[]> => {
      const out: LogEntry[] = []
      let mark: string | undefined
      for (;;) {
        const page = await store.events.selectLog({
          limit: 500,
          ...(desc ? { desc: true } : {}),
          ...(mark === undefined ? {} : desc ? { before: mark } : { after: mark }),
        })
        out.push(...page)
        if (page.length < 500) return out
        mark = page[page.length - 1]!.position
      }
    }
    const newestFirst = await readLog(true)
    cover(newestFirst, 'newest first', fail)
    figures.logEntries = newestFirst.length
    say(`verify: log newest first lists ${newestFirst.length} entries`)
    // Oldest first stops at an intent still in flight: readers wait for it until it is abandoned
    // (intentTimeoutMs + 2 × maxClockSkewMs old: the writer's clock may differ from theirs).
    const asc0 = Date.now()
    let oldestFirst: LogEntry[] = []
    for (;;) {
      oldestFirst = await readLog(false)
      const problemsNow: string[] = []
      cover(oldestFirst, 'oldest first', (m) => problemsNow.push(m))
      if (problemsNow.length === 0) break
      const abandonedAfter =
        (settings.intentTimeoutMs ?? 60_000) + 2 * (settings.maxClockSkewMs ?? 60_000)
      if (Date.now() - writeEnd > abandonedAfter + 15_000) {
        problemsNow.forEach(fail)
        break
      }
      await sleep(2000)
    }
    figures.ascendingLogHeldBackS = Number(secs(Date.now() - asc0))
    say(
      `verify: log oldest first lists ${oldestFirst.length} entries (complete after waiting ${secs(Date.now() - asc0)} s)`,
    )

    // The aggregate index, by id and by recent change, paged.
    for (const order of ['id', 'recent'] as const) {
      const listed = new Map<string, number>()
      let token: string | undefined
      let pages = 0
      do {
        const page = await store.events.listAggregates({
          limit: 7,
          order,
          ...(token ? { pageToken: token } : {}),
        })
        pages++
        for (const s of page.items) {
          if (listed.has(s.originatorId)) fail(`index (${order}): ${s.originatorId} listed twice`)
          listed.set(s.originatorId, s.version)
          if (s.aggregateTopic !== AGGREGATE_TOPIC)
            fail(`index (${order}): ${s.originatorId} has topic '${s.aggregateTopic}'`)
        }
        token = page.nextPageToken
      } while (token && pages < 10_000)
      for (const [id, v] of listed) {
        const last = stored.get(id)
        if (last === undefined) fail(`index (${order}): phantom aggregate ${id}`)
        else if (v !== last)
          fail(`index (${order}): ${id} listed at version ${v}, stored up to ${last}`)
      }
      for (const id of stored.keys())
        if (!listed.has(id)) fail(`index (${order}): ${id} not listed`)
      say(
        `verify: listAggregates order '${order}' lists ${listed.size} aggregates in ${pages} pages`,
      )
      figures[`listed_${order}`] = listed.size
    }
    const counted = await store.events.countAggregates()
    figures.countAggregates = counted
    const guarded = new Set<string>()
    for await (const rows of session.pages(
      `SELECT originator_id FROM ${ks}.counted_aggregates`,
      [],
    )) {
      for (const row of rows) guarded.add(String(row['originator_id']))
    }
    const unguarded = [...stored.keys()].filter((id) => !guarded.has(id)).length
    figures.countGuards = guarded.size
    figures.countGuardsMissing = unguarded
    if (counted !== stored.size) {
      warnings.push(
        `countAggregates() says ${counted}, ${stored.size} stored; ${guarded.size} aggregates in ` +
          `counted_aggregates, ${unguarded} not (the last counted of each shard may not be yet)`,
      )
    }
  } finally {
    await app.close()
  }
  return { failures, warnings, figures }
}

// --- the run -----------------------------------------------------------------------------------

function timeline(): string[] {
  const lines: string[] = []
  const step = 10_000
  const end = Math.max(...marks.map((m) => m.t), writeStart)
  for (let from = writeStart; from <= end; from += step) {
    const inside = marks.filter((m) => m.t >= from && m.t < from + step)
    const count = (kind: Mark['kind'], hot?: boolean): number =>
      inside.filter((m) => m.kind === kind && (hot === undefined || m.hot === hot)).length
    const killed =
      killedAt !== undefined && killedAt >= from && killedAt < from + step ? '  <- node killed' : ''
    lines.push(
      `  ${secs(from - writeStart).padStart(5)}–${secs(from + step - writeStart).padEnd(5)} s  ` +
        `acks hot ${String(count('ack', true)).padStart(4)}  spread ${String(count('ack', false)).padStart(4)}  ` +
        `conflicts ${String(count('conflict')).padStart(4)}  errors ${String(count('error')).padStart(3)}${killed}`,
    )
  }
  return lines
}

function recovery(): Record<string, number | string> {
  if (killedAt === undefined) return {}
  const k = killedAt
  const after = marks.filter((m) => m.t >= k)
  const errors = after.filter((m) => m.kind === 'error' && m.error !== CONTENTION)
  const rate = (from: number, to: number): number =>
    marks.filter((m) => m.kind === 'error' && m.error === CONTENTION && m.t >= from && m.t < to)
      .length / Math.max(1, (to - from) / 10_000)
  const end = Math.max(...marks.map((m) => m.t))
  const firstAck = after.find((m) => m.kind === 'ack')
  // Longest time any writer went without an acknowledgement, across the kill.
  let longest = 0
  let who = ''
  for (const writer of new Set(marks.map((m) => m.writer))) {
    const acks = marks.filter((m) => m.writer === writer && m.kind === 'ack').map((m) => m.t)
    const before = acks.filter((t) => t < k).pop()
    const next = acks.find((t) => t >= k)
    if (before !== undefined && next !== undefined && next - before > longest) {
      longest = next - before
      who = writer
    }
  }
  return {
    contentionTimeoutsPer10sBefore: Number(rate(writeStart, k).toFixed(1)),
    contentionTimeoutsPer10sAfter: Number(rate(k, end).toFixed(1)),
    errorsAfterKill: errors.length,
    lastErrorAfterKillS: errors.length ? Number(secs(errors[errors.length - 1]!.t - k)) : 0,
    firstAckAfterKillS: firstAck ? Number(secs(firstAck.t - k)) : 'none',
    longestWriterStallS: Number(secs(longest)),
    longestWriterStallWho: who,
  }
}

async function main(): Promise<number> {
  const external = process.env.CASSANDRA_CONTACT_POINTS?.trim()
  let contactPoints: string[]
  if (external) {
    contactPoints = external
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
    say(`using the cluster at CASSANDRA_CONTACT_POINTS=${external} (not started or stopped here)`)
  } else {
    await startCluster()
    contactPoints = readNodes().map((n) => `${n.address}:${n.port}`)
  }
  // The node to kill: a non-seed node of the script's nodes file, by its pid file.
  const nodes = readNodes()
  let victim: Node | undefined
  if (kill) {
    const index =
      opts['kill-node'] === undefined
        ? Math.max(...nodes.map((n) => n.index))
        : int('kill-node', opts['kill-node'], 2)
    victim = nodes.find((n) => n.index === index && index > 1)
    if (!victim || nodePid(victim) === undefined) {
      throw new SetupError(
        `no running non-seed node ${index} in ${join(home, 'run', 'nodes')} to kill` +
          ' (set --home / EVENTSCOPE_CASSANDRA_HOME to the home that started the cluster, or --no-kill)',
      )
    }
  }

  const keyspace = `resilience_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const settings: CassandraSettings = {
    contactPoints,
    localDataCenter: LOCAL_DC,
    keyspace,
    replicationFactor: 3,
    ...(requestTimeoutMs === undefined ? {} : { requestTimeoutMs }),
  }
  say(`keyspace ${keyspace} (replication factor 3) on ${contactPoints.join(', ')}`)
  const store = await openStore({ kind: 'cassandra', ...settings })
  const app = new EverythingApplication({
    store,
    cipherKey: SEED_CIPHER_KEY,
  })
  // Marks events the save stored (a save rejected after the insert is counted as storedButSaveRejected).
  const put = app.eventStore.put.bind(app.eventStore)
  app.eventStore.put = async (events) => {
    await put(events)
    for (const e of events) persisted.add(e)
  }
  // Counts what insert() swallows: a failed confirm() (repaired by readers) or dropIntent().
  const recorder = store.events as CassandraApplicationRecorder
  const swallow = (method: string, counter: 'confirmFailures' | 'dropFailures', error: unknown) => {
    stats[counter]++
    const kind = `${method}: ${errorKind(error)}`
    swallowed.set(kind, (swallowed.get(kind) ?? 0) + 1)
  }
  for (const [method, counter] of [
    ['confirm', 'confirmFailures'],
    ['dropIntent', 'dropFailures'],
  ] as const) {
    const original = recorder[method].bind(recorder) as (...args: unknown[]) => Promise<void>
    recorder[method] = async (...args: unknown[]) => {
      try {
        await original(...args)
      } catch (error) {
        swallow(method, counter, error)
        throw error
      }
    }
  }
  // Most confirmations of acknowledged intents are not confirm() calls: the recorder queues them
  // and tells confirmFailed() of each one that fails.
  recorder.confirmFailed = (_intent, error) => swallow('confirm', 'confirmFailures', error)
  // The Cassandra store gives discovered nodes the contact points' port (protocolOptions.port).
  const hosts = (store.events as CassandraApplicationRecorder).session.client.hosts
    .values()
    .map((h) => `${h.address}${h.isUp() ? '' : ' (down)'}`)
  say(`driver sees ${hosts.join(', ')}`)

  const writers = new Writers(app, store, keyspace)
  let verification: Verification | undefined
  let report: Record<string, unknown> = {}
  try {
    const hotId = await writers.create('setup', 'hot.created', true)
    if (!hotId) throw new SetupError('could not create the hot aggregate')
    const pool: string[] = []
    await Promise.all(
      Array.from({ length: initialAggregates }, async (_, i) => {
        const id = await writers.create('setup', `spread.created.${i}`)
        if (id) pool.push(id)
      }),
    )
    say(
      `created the hot aggregate ${hotId} and ${pool.length} spread aggregates; writing for ${durationS} s` +
        (victim
          ? `, killing node ${victim.index} (${victim.address}) after ${killAfterS} s`
          : ', no node killed'),
    )

    writeStart = Date.now()
    const writeUntil = writeStart + durationS * 1000
    writers.giveUpAt = writeUntil + SETTLE_LIMIT_MS
    let killTimer: NodeJS.Timeout | undefined
    if (victim) {
      const v = victim
      killTimer = setTimeout(() => {
        const pid = nodePid(v)
        if (pid === undefined) {
          problems.push(`node ${v.index} was not running when it was due to be killed`)
          return
        }
        process.kill(pid, 'SIGKILL')
        killedAt = Date.now()
        say(`SIGKILL node ${v.index} (${v.address}:${v.port}, pid ${pid})`)
        void (async () => {
          for (let i = 0; i < 50 && !processGone(pid); i++) await sleep(100)
          if (!processGone(pid)) problems.push(`node ${v.index} (pid ${pid}) survived SIGKILL`)
        })()
      }, killAfterS * 1000)
    }
    const progress = setInterval(() => {
      const last = marks.filter((m) => m.t >= Date.now() - 10_000)
      const n = (kind: Mark['kind'], hot?: boolean): number =>
        last.filter((m) => m.kind === kind && (hot === undefined || m.hot === hot)).length
      say(
        `last 10 s: acks hot ${n('ack', true)}, spread ${n('ack', false)}; conflicts ${n('conflict')}; errors ${n('error')}`,
      )
    }, 10_000)

    const hot = Array.from({ length: hotWriters }, async (_, i) => {
      for (let seq = 0; Date.now() < writeUntil; seq++)
        await writers.change(`hot${i}`, hotId, `hot${i}.${seq}`, true)
    })
    const spread = Array.from({ length: spreadWriters }, async (_, i) => {
      for (let seq = 0; Date.now() < writeUntil; seq++) {
        if (seq % 5 === 0) {
          const id = await writers.create(`spread${i}`, `spread${i}.${seq}`)
          if (id) pool.push(id)
        } else if (pool.length) {
          await writers.change(
            `spread${i}`,
            pool[Math.floor(Math.random() * pool.length)]!,
            `spread${i}.${seq}`,
            false,
          )
        }
      }
    })
    await Promise.all([...hot, ...spread])
    clearTimeout(killTimer)
    clearInterval(progress)
    const writeEnd = Date.now()
    say(
      `writers done (${secs(writeEnd - writeUntil)} s after the deadline to settle their last change)`,
    )

    await app.close()
    verification = await verify(settings, writeEnd)

    const all = [...changes.values()]
    const acked = all.filter((c) => c.status === 'acked')
    const inDoubt = all.filter((c) => c.status === 'in-doubt')
    report = {
      keyspace,
      contactPoints,
      durationS,
      killAfterS: victim ? killAfterS : null,
      killedNode: victim ? `${victim.index} (${victim.address})` : null,
      hotWriters,
      spreadWriters,
      logicalChanges: all.length,
      acknowledged: acked.length,
      acknowledgedDirect: acked.filter((c) => c.how === 'direct').length,
      acknowledgedByReadBack: acked.filter((c) => c.how === 'read-back').length,
      inDoubt: inDoubt.length,
      hotAcknowledged: acked.filter((c) => c.writer.startsWith('hot')).length,
      ...stats,
      errorKinds: Object.fromEntries(errorKinds),
      ...recovery(),
      ...verification.figures,
      rejectedAfterStore,
      swallowed: Object.fromEntries(swallowed),
      failures: [...problems, ...verification.failures],
      warnings: verification.warnings,
    }
  } finally {
    await app.close().catch(() => {})
  }

  // --- report ---
  const r = report as Record<string, number | string | null | object>
  const lines = [
    '',
    '=== node failure: report ===',
    `cluster        ${contactPoints.join(', ')}, keyspace ${keyspace}, RF 3, QUORUM/SERIAL`,
    `run            ${durationS} s of writing, ${hotWriters} writers on one aggregate + ${spreadWriters} on many; ` +
      (victim
        ? `node ${victim.index} (${victim.address}) SIGKILLed at ${killAfterS} s`
        : 'no node killed'),
    `saves          ${stats.saves} attempted (save() calls), ${stats.retries} of them retries`,
    `changes        ${r.logicalChanges} logical, ${r.acknowledged} acknowledged ` +
      `(${r.acknowledgedDirect} by save(), ${r.acknowledgedByReadBack} found stored by read-back after an error), ${r.inDoubt} in doubt`,
    `hot aggregate  ${r.hotAcknowledged} acknowledged changes`,
    `conflicts      ${stats.conflicts} ConcurrencyError (reload and retry)`,
    `errors         ${stats.unavailable} StoreUnavailable, ${stats.unmapped} unmapped driver errors, ${stats.loadFailures} failed loads; ` +
      `${stats.readBacks} read-backs; ${stats.storedButSaveRejected} save() rejected after its events were stored; ` +
      `swallowed by insert(): ${stats.confirmFailures} confirm(), ${stats.dropFailures} dropIntent() failures`,
    ...[...errorKinds, ...swallowed]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `                 ${String(n).padStart(5)} × ${k}`),
  ]
  if (killedAt !== undefined) {
    lines.push(
      `recovery       first ack ${r.firstAckAfterKillS} s after the kill; ${r.errorsAfterKill} errors other than CAS ` +
        `contention after it, the last ${r.lastErrorAfterKillS} s after it; longest writer stall across it ` +
        `${r.longestWriterStallS} s (${r.longestWriterStallWho}); CAS contention timeouts per 10 s: ` +
        `${r.contentionTimeoutsPer10sBefore} before, ${r.contentionTimeoutsPer10sAfter} after`,
    )
  }
  lines.push('timeline', ...timeline())
  if (verification) {
    const f = verification.figures
    lines.push(
      `stored         ${f.eventsStored} events in ${f.aggregatesStored} aggregates; log ${f.logEntries} entries; ` +
        `index ${f.listed_id} by id, ${f.listed_recent} by recent; countAggregates ${f.countAggregates}; ` +
        `${f.pendingIntentsAtEnd} intents pending at the end; oldest-first log complete after ${f.ascendingLogHeldBackS} s`,
    )
  }
  const failures = (report.failures as string[] | undefined) ?? problems
  const warnings = (report.warnings as string[] | undefined) ?? []
  for (const m of [...new Set(rejectedAfterStore)].slice(0, 5))
    lines.push(`rejected after store: ${m}`)
  for (const w of warnings.slice(0, 20)) lines.push(`warning        ${w}`)
  for (const f of failures.slice(0, 50)) lines.push(`FAILED         ${f}`)
  const ok = failures.length === 0 && verification !== undefined
  lines.push(
    ok
      ? 'RESULT: PASS — every acknowledged change stored exactly once, nothing phantom'
      : `RESULT: FAIL (${failures.length} problem(s))`,
  )
  console.log(lines.join('\n'))
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ ...report, ok }, null, 2) + '\n')
  return ok ? 0 : 1
}

let exiting = false
async function finish(code: number): Promise<never> {
  if (!exiting) {
    exiting = true
    await stopCluster().catch((e: unknown) =>
      console.error(`could not stop the cluster: ${String(e)}`),
    )
  }
  process.exit(code)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping`)
    void finish(130)
  })
}

main().then(
  (code) => finish(code),
  (error: unknown) => {
    console.error(error instanceof SetupError ? `setup failed: ${error.message}` : error)
    return finish(2)
  },
)
