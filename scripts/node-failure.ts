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
 *
 * The parts are in scripts/nodeFailure/: options.ts (command line, console output), cluster.ts
 * (start/stop the nodes, find a node's pid), ledger.ts (what the writers did), writers.ts (the
 * workload), verify.ts (the final check), report.ts (the report and its JSON).
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import {
  type CassandraApplicationRecorder,
  type CassandraSettings,
  openStore,
} from '../electron/eventsourcing'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import {
  type Node,
  nodePid,
  processGone,
  readNodes,
  startCluster,
  stopCluster,
} from './nodeFailure/cluster'
import { type Mark, marks, problems, runClock } from './nodeFailure/ledger'
import {
  durationS,
  home,
  hotWriters,
  initialAggregates,
  int,
  kill,
  killAfterS,
  LOCAL_DC,
  opts,
  requestTimeoutMs,
  say,
  secs,
  SETTLE_LIMIT_MS,
  SetupError,
  sleep,
  spreadWriters,
} from './nodeFailure/options'
import { buildReport, printReport, type RunSetup } from './nodeFailure/report'
import { type Verification, verify } from './nodeFailure/verify'
import { instrumentStore, Writers } from './nodeFailure/writers'

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
  instrumentStore(app, store)
  // The Cassandra store gives discovered nodes the contact points' port (protocolOptions.port).
  const hosts = (store.events as CassandraApplicationRecorder).session.client.hosts
    .values()
    .map((h) => `${h.address}${h.isUp() ? '' : ' (down)'}`)
  say(`driver sees ${hosts.join(', ')}`)

  const setup: RunSetup = { keyspace, contactPoints, victim }
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

    runClock.writeStart = Date.now()
    const writeUntil = runClock.writeStart + durationS * 1000
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
        runClock.killedAt = Date.now()
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

    report = buildReport(setup, verification)
  } finally {
    await app.close().catch(() => {})
  }

  return printReport(setup, report, verification) ? 0 : 1
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
