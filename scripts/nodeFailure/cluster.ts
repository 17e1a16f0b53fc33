/** The three-node cluster the check starts with scripts/cassandra.sh: start, stop, find a node's pid. */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import {
  home,
  nativePort,
  opts,
  REPO,
  SCRIPT,
  say,
  secs,
  SetupError,
  storagePort,
  VERSION,
} from './options'

// --- the cluster -------------------------------------------------------------------------------

export interface Node {
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

export function readNodes(): Node[] {
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
export function nodePid(node: Node): number | undefined {
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

export function processGone(pid: number): boolean {
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

export async function startCluster(): Promise<void> {
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

export async function stopCluster(): Promise<void> {
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
