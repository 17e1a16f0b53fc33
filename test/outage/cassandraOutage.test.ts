/**
 * A Cassandra outage with the app running: an ExplorerService connected to a node of its own
 * (never the shared test node) sees the node stop, reports "unavailable since", and answers
 * again within a few seconds of the node answering again — after an outage long enough to have
 * pushed the driver's default back-off (1, 2, 4 … 64 s) far out.
 *
 * Its own step in `npm test` (scripts/test.mjs, `npm test -- outage`), with its own vitest
 * config: it starts and stops a node and takes about two minutes.
 *   EVENTSCOPE_OUTAGE_SECONDS (75)   how long the node stays down
 *   EVENTSCOPE_OUTAGE_HOME (a fresh temporary folder, jars shared with .cassandra/)
 *   EVENTSCOPE_OUTAGE_ADDRESS (127.0.0.5), EVENTSCOPE_OUTAGE_PORT (9543),
 *   EVENTSCOPE_OUTAGE_STORAGE_PORT (7543)
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import cassandra from 'cassandra-driver'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ConnectionInfo, EventName, EventOf } from '../../shared/contract'
import { dispatch } from '../../electron/explorer/dispatch'
import { ExplorerService } from '../../electron/explorer/service'
import { SEED_CIPHER_KEY } from '../../electron/example/seedSettings'

const REPO = resolve(import.meta.dirname, '..', '..')
const SCRIPT = join(REPO, 'scripts', 'cassandra.sh')
const VERSION = process.env.CASSANDRA_VERSION ?? '5.0.8'
const OUTAGE_MS = Number(process.env.EVENTSCOPE_OUTAGE_SECONDS ?? 75) * 1000
const ADDRESS = process.env.EVENTSCOPE_OUTAGE_ADDRESS ?? '127.0.0.5'
const PORT = process.env.EVENTSCOPE_OUTAGE_PORT ?? '9543'
const STORAGE_PORT = process.env.EVENTSCOPE_OUTAGE_STORAGE_PORT ?? '7543'
const ownHome = process.env.EVENTSCOPE_OUTAGE_HOME === undefined
const HOME = process.env.EVENTSCOPE_OUTAGE_HOME ?? mkdtempSync(join(tmpdir(), 'eventscope-outage-'))
/** "Within a few seconds of the node answering again." */
const RECOVERY_BOUND_MS = 5000

const t0 = Date.now()
const say = (message: string): void =>
  console.log(`[outage ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${message}`)

/** scripts/cassandra.sh on this test's node only: its home, address and ports. */
function script(command: 'start' | 'stop' | 'resume'): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    EVENTSCOPE_CASSANDRA_HOME: HOME,
    CASSANDRA_LISTEN_ADDRESS: ADDRESS,
    CASSANDRA_PORT: PORT,
    CASSANDRA_STORAGE_PORT: STORAGE_PORT,
    CASSANDRA_HEAP: process.env.CASSANDRA_HEAP ?? '768m',
  }
  // Never the shared cluster: the script would only probe it.
  delete env.CASSANDRA_CONTACT_POINTS
  return new Promise((done, fail) => {
    const child = spawn('bash', [SCRIPT, command], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) say(`  ${line}`)
    }
    child.stdout.on('data', relay)
    child.stderr.on('data', relay)
    child.on('close', (code) =>
      code === 0 ? done() : fail(new Error(`cassandra.sh ${command} exited ${code}`)),
    )
  })
}

/** Shares the project's jar cache, so this node's home does not download the jars again. */
function shareJars(): void {
  const mine = join(HOME, `lib-${VERSION}`)
  const shared = join(REPO, '.cassandra', `lib-${VERSION}`)
  if (existsSync(mine) || !existsSync(join(shared, '.complete'))) return
  mkdirSync(HOME, { recursive: true })
  symlinkSync(shared, mine)
}

const availabilityLog: Array<{ at: number; availability: ConnectionInfo['availability'] }> = []
const service = new ExplorerService({
  cipherKey: SEED_CIPHER_KEY,
  snapshotPeriod: 2,
  pollIntervalMs: 250,
  emit: <E extends EventName>(event: E, payload: EventOf<E>) => {
    if (event !== 'connection') return
    const info = payload as ConnectionInfo
    const last = availabilityLog[availabilityLog.length - 1]?.availability
    if (info.availability?.state !== last?.state)
      availabilityLog.push({ at: Date.now(), availability: info.availability })
  },
})
let started = false

beforeAll(async () => {
  shareJars()
  started = true
  await script('start')
}, 300_000)

afterAll(async () => {
  await service.close()
  if (started) await script('stop')
  if (ownHome) rmSync(HOME, { recursive: true, force: true })
}, 120_000)

async function call(
  method: 'listAggregates' | 'getConnection',
): Promise<{ ok: boolean; code?: string }> {
  const envelope = await dispatch(service, method, method === 'listAggregates' ? { limit: 5 } : {})
  return envelope.ok ? { ok: true } : { ok: false, code: envelope.error.code }
}

/** Polls `check` every 100 ms until it holds; the time it first held, or undefined at the deadline. */
async function firstTime(
  check: () => Promise<boolean> | boolean,
  withinMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + withinMs
  while (Date.now() < deadline) {
    if (await check()) return Date.now()
    await sleep(100)
  }
  return undefined
}

test('after a long outage the running app answers again within seconds of the node', async () => {
  const connected = await dispatch(service, 'connect', {
    kind: 'cassandra',
    contactPoints: [`${ADDRESS}:${PORT}`],
    localDataCenter: 'datacenter1',
    keyspace: 'outage_test',
  })
  expect(connected.ok, JSON.stringify(connected)).toBe(true)
  expect(
    (await dispatch(service, 'seedDemoData', { aggregates: 3, events: 5, taskId: 'seed' })).ok,
  ).toBe(true)
  expect(await call('listAggregates')).toEqual({ ok: true })
  // A client with the driver's default options, for comparison (its back-off is not ours).
  const control = new cassandra.Client({
    contactPoints: [`${ADDRESS}:${PORT}`],
    localDataCenter: 'datacenter1',
  })
  await control.connect()
  const controlAnswers = (): Promise<boolean> =>
    control.execute('SELECT release_version FROM system.local').then(
      () => true,
      () => false,
    )
  try {
    const down = Date.now()
    say('stopping the node')
    await script('stop')

    // The outage is seen: requests fail as unavailable, and the app says since when.
    const seenDown = await firstTime(async () => {
      const info = (await dispatch(service, 'getConnection', {})) as {
        ok: boolean
        value?: ConnectionInfo
      }
      return info.value?.availability?.state === 'unavailable'
    }, 20_000)
    expect(seenDown, 'the app never reported the node unavailable').toBeDefined()
    const during = await call('listAggregates')
    expect(during.ok).toBe(false)
    expect(during.code).toBe('StoreUnavailable')
    expect(await controlAnswers()).toBe(false)
    say(`unavailable reported ${((seenDown! - down) / 1000).toFixed(1)} s after the stop`)

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - down)))
    say(`resuming the node after ${((Date.now() - down) / 1000).toFixed(0)} s down`)
    const resuming = script('resume')
    // The node answers: a fresh client (no back-off of its own) gets an answer.
    const answered = await firstTime(async () => {
      const probe = new cassandra.Client({
        contactPoints: [`${ADDRESS}:${PORT}`],
        localDataCenter: 'datacenter1',
        socketOptions: { connectTimeout: 1000, readTimeout: 2000 },
      })
      try {
        await probe.execute('SELECT release_version FROM system.local')
        return true
      } catch {
        return false
      } finally {
        await probe.shutdown().catch(() => undefined)
      }
    }, 240_000)
    expect(answered, 'the node never answered again').toBeDefined()
    say(`node answering ${((answered! - down) / 1000).toFixed(1)} s after the stop`)

    const recovered = await firstTime(async () => (await call('listAggregates')).ok, 120_000)
    expect(recovered, 'the app never answered again').toBeDefined()
    const delay = recovered! - answered!
    const controlBack = await controlAnswers()
    say(
      `app answering ${(delay / 1000).toFixed(1)} s after the node; a client with the driver's default back-off ${controlBack ? 'answers too' : 'does not answer yet'}`,
    )
    expect(delay).toBeLessThan(RECOVERY_BOUND_MS)
    await resuming

    // The status shows the recovery: available again, and the outage it came back from.
    const recoveredInfo = await firstTime(async () => {
      const info = (await dispatch(service, 'getConnection', {})) as {
        ok: boolean
        value?: ConnectionInfo
      }
      return info.value?.availability?.state === 'available'
    }, 5000)
    expect(recoveredInfo).toBeDefined()
    const states = availabilityLog.map((e) => e.availability?.state)
    // Every change the app reported, to read when an assertion below fails.
    const changes = availabilityLog
      .map((e) => `${((e.at - down) / 1000).toFixed(1)} s ${JSON.stringify(e.availability)}`)
      .join('\n')
    expect(states.slice(-2), changes).toEqual(['unavailable', 'available'])
    const outage = availabilityLog[availabilityLog.length - 1]!.availability!.lastOutage!
    expect(Date.parse(outage.from), changes).toBeGreaterThanOrEqual(down)
    expect(Date.parse(outage.to), changes).toBeGreaterThanOrEqual(
      Date.parse(outage.from) + OUTAGE_MS - 20_000,
    )
    // Writes work again too: nothing stays broken.
    expect(
      (await dispatch(service, 'seedDemoData', { aggregates: 1, events: 3, taskId: 'after' })).ok,
    ).toBe(true)
  } finally {
    await control.shutdown().catch(() => undefined)
  }
}, 600_000)
