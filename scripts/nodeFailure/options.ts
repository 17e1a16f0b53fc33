/** The node-failure check's command line, constants and console output (see scripts/node-failure.ts). */
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const SCRIPT = join(REPO, 'scripts', 'cassandra.sh')
export const VERSION = process.env.CASSANDRA_VERSION || '5.0.8'
export const LOCAL_DC = process.env.CASSANDRA_LOCAL_DC || 'datacenter1'
export const AGGREGATE_TOPIC = 'example#ExampleAggregateRoot'
/** How long writers may take to settle their last change after the write phase. */
export const SETTLE_LIMIT_MS = 180_000

// --- options -----------------------------------------------------------------------------------

export const { values: opts } = parseArgs({
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

export function int(name: string, value: string | undefined, min = 0): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} must be an integer ≥ ${min}, not '${value}'`)
    process.exit(2)
  }
  return n
}

export const durationS = int('duration', opts.duration, 1)
export const killAfterS = int('kill-after', opts['kill-after'])
export const hotWriters = int('hot-writers', opts['hot-writers'], 1)
export const spreadWriters = int('spread-writers', opts['spread-writers'])
export const initialAggregates = int('aggregates', opts.aggregates)
export const nativePort = int('port', opts.port, 1)
export const storagePort = int('storage-port', opts['storage-port'], 1)
export const home = resolve(
  opts.home ?? process.env.EVENTSCOPE_CASSANDRA_HOME ?? join(REPO, '.cassandra', 'node-failure'),
)
export const requestTimeoutMs =
  opts['request-timeout'] === undefined
    ? undefined
    : int('request-timeout', opts['request-timeout'], 1)
export const kill = !opts['no-kill']
if (kill && killAfterS >= durationS) {
  console.error(`--kill-after (${killAfterS}) must be less than --duration (${durationS})`)
  process.exit(2)
}

// --- output ------------------------------------------------------------------------------------

const t0 = Date.now()
export const secs = (ms: number): string => (ms / 1000).toFixed(1)
export const say = (msg: string): void =>
  console.log(`[${secs(Date.now() - t0).padStart(6)} s] ${msg}`)
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

export class SetupError extends Error {}
