#!/usr/bin/env node
// Readiness probe for scripts/cassandra.sh (also usable on its own):
//   node scripts/cassandra/wait.mjs [--timeout S] [--host ip:port] [--pid N] [--expect-hosts N]
// Connects with cassandra-driver and runs `SELECT release_version FROM system.local`, retrying
// until it answers or the timeout passes.
//   contact points: --host (that node only, via an allow-list policy), else
//                   CASSANDRA_CONTACT_POINTS (comma-separated host or host:port), else
//                   127.0.0.1:${CASSANDRA_PORT:-9042}
//   CASSANDRA_LOCAL_DC (default datacenter1), CASSANDRA_USERNAME / CASSANDRA_PASSWORD (optional)
//   timeout: --timeout, else CASSANDRA_WAIT_SECONDS, else 180 s
//   --pid: fail fast when that process is gone; --expect-hosts: also require N hosts up.
// Exit codes: 0 ready, 1 timeout, 2 the watched process died, 64 bad usage.
import cassandra from 'cassandra-driver'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

const say = (msg) => console.log(`[cassandra] ${msg}`)
const fail = (msg) => console.error(`[cassandra] ${msg}`)

let values
try {
  ;({ values } = parseArgs({
    options: {
      timeout: { type: 'string' },
      host: { type: 'string' },
      pid: { type: 'string' },
      'expect-hosts': { type: 'string' },
    },
  }))
} catch (e) {
  fail(`wait.mjs: ${e.message}`)
  process.exit(64)
}

const timeoutS = Number(values.timeout ?? process.env.CASSANDRA_WAIT_SECONDS ?? 180)
const port = Number(process.env.CASSANDRA_PORT || 9042)
const pid = values.pid ? Number(values.pid) : undefined
const expectHosts = values['expect-hosts'] ? Number(values['expect-hosts']) : 0
const localDataCenter = process.env.CASSANDRA_LOCAL_DC || 'datacenter1'
if (!Number.isFinite(timeoutS) || timeoutS < 0 || !Number.isInteger(port)) {
  fail(`wait.mjs: bad timeout (${timeoutS}) or CASSANDRA_PORT (${process.env.CASSANDRA_PORT})`)
  process.exit(64)
}

const withPort = (h) => (/:\d+$/.test(h) ? h : `${h}:${port}`)
const contactPoints = values.host
  ? [withPort(values.host)]
  : (process.env.CASSANDRA_CONTACT_POINTS || `127.0.0.1:${port}`)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(withPort)
const target = contactPoints.join(',')

const options = {
  contactPoints,
  localDataCenter,
  socketOptions: { connectTimeout: 3000, readTimeout: 10000 },
  policies: {
    reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
  },
}
if (values.host) {
  // Probe exactly this node, not whichever coordinator the driver would pick.
  const lb = cassandra.policies.loadBalancing
  const AllowList = lb.AllowListPolicy ?? lb.WhiteListPolicy
  options.policies.loadBalancing = new AllowList(
    new lb.DCAwareRoundRobinPolicy(localDataCenter),
    contactPoints,
  )
}
if (process.env.CASSANDRA_USERNAME) {
  options.authProvider = new cassandra.auth.PlainTextAuthProvider(
    process.env.CASSANDRA_USERNAME,
    process.env.CASSANDRA_PASSWORD ?? '',
  )
}

function alive(p) {
  try {
    process.kill(p, 0)
  } catch (e) {
    if (e.code !== 'EPERM') return false
  }
  try {
    // A dead child not yet reaped by its parent still answers kill(0): check for zombies.
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return true // no /proc: trust kill(0)
  }
}

// NoHostAvailableError's message embeds inspected inner errors over several lines: keep one line.
function describe(e) {
  const inner =
    e && e.innerErrors && typeof e.innerErrors === 'object' ? Object.entries(e.innerErrors) : []
  if (inner.length) {
    return inner.map(([host, err]) => `${host}: ${(err && err.message) || String(err)}`).join('; ')
  }
  return ((e && e.message) || String(e)).split('\n')[0]
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const secs = (ms) => (ms / 1000).toFixed(1)
const t0 = performance.now()
const deadline = t0 + timeoutS * 1000
let lastError = 'no attempt made'
let attempts = 0
let nextProgress = t0 + 15000

for (;;) {
  if (pid !== undefined && !alive(pid)) {
    fail(
      `process ${pid} exited before ${target} answered (after ${secs(performance.now() - t0)} s)`,
    )
    process.exit(2)
  }
  attempts++
  const client = new cassandra.Client(options)
  try {
    await client.connect()
    const rs = await client.execute('SELECT release_version FROM system.local')
    const version = rs.first()?.release_version ?? '?'
    if (expectHosts) {
      const up = client.hosts.values().filter((h) => h.isUp()).length
      if (up < expectHosts) throw new Error(`${up} of ${expectHosts} nodes up`)
    }
    const hosts = expectHosts ? `, ${expectHosts} nodes up` : ''
    say(
      `${target} answers: release_version ${version}${hosts} ` +
        `(waited ${secs(performance.now() - t0)} s, ${attempts} attempt${attempts > 1 ? 's' : ''})`,
    )
    await client.shutdown().catch(() => {})
    process.exit(0)
  } catch (e) {
    lastError = describe(e)
  }
  await client.shutdown().catch(() => {})

  const now = performance.now()
  if (now >= deadline) {
    fail(`${target} not ready after ${timeoutS} s (${attempts} attempts); last error: ${lastError}`)
    process.exit(1)
  }
  if (now >= nextProgress) {
    say(`still waiting for ${target} (${secs(now - t0)} s): ${lastError}`)
    nextProgress = now + 15000
  }
  await sleep(Math.min(1000, deadline - now))
}
