/**
 * Repeated replays of one aggregate, for profiling and steadier medians than a bench round:
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts [config] [runs] [events]
 * With --gc (and node --expose-gc), a full garbage collection before each replay, as the bench
 * does: what V8 throws away then shows (node --trace-deopt: "weak objects").
 * config: plain | hash | zlib | full | aes | raw | all (default all). `raw` is the floor: the driver's
 * `.raw().all()` of the same rows (plain JSON, as `hash` stores them) + JSON.parse of each state.
 */
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildReplayFixture } from './fixture'

const CONFIGS = {
  plain: { cipher: false, compress: false, verify: false },
  hash: { cipher: false, compress: false, verify: true },
  zlib: { cipher: false, compress: true, verify: true },
  full: { cipher: true, compress: true, verify: true },
  // The bench's encrypted row: AES-GCM with compression off.
  aes: { cipher: true, compress: false, verify: true },
  raw: { cipher: false, compress: false, verify: true },
} as const

const rawStatements = new Map<string, Database.Statement>()

/**
 * The rows of one aggregate straight from the driver, each state parsed: its JSON follows the
 * format byte, and in format 2 (format bit 4) the 32-byte hash and three offsets after it.
 */
function rawReplay(path: string, id: string): number {
  // Opened and prepared once, as the recorder does: only the read and the parse are timed.
  let statement = rawStatements.get(path)
  if (statement === undefined) {
    statement = new Database(path, { readonly: true })
      .prepare(
        'SELECT originator_id, originator_version, topic, state FROM events WHERE originator_id = ? ORDER BY originator_version',
      )
      .raw(true)
    rawStatements.set(path, statement)
  }
  const rows = statement.all(id) as [string, number, string, Buffer][]
  let n = 0
  for (const row of rows) {
    const state = row[3]
    if (JSON.parse(state.toString('utf8', state[0]! & 4 ? 39 : 1)) !== null) n += 1
  }
  return n
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--gc')
  const collect = process.argv.includes('--gc') ? globalThis.gc : undefined
  if (process.argv.includes('--gc') && collect === undefined)
    throw new Error('--gc needs node --expose-gc')
  const which = args[0] ?? 'all'
  const runs = Number(args[1] ?? 21)
  const count = Number(args[2] ?? 10_000)
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-profile-'))
  for (const [name, options] of Object.entries(CONFIGS)) {
    if (which !== 'all' && which !== name) continue
    const { app, id } = await buildReplayFixture({
      path: join(folder, `${name}.sqlite`),
      count,
      ...options,
    })
    const times: number[] = []
    // CPU time of this process too: on a shared, busy machine it moves much less than wall time.
    const cpu: number[] = []
    for (let r = 0; r < runs; r++) {
      collect?.()
      const c0 = process.cpuUsage()
      const t0 = process.hrtime.bigint()
      const version =
        name === 'raw'
          ? rawReplay(join(folder, `${name}.sqlite`), id) - 1
          : (await app.repository.replay(id)).aggregate?.version
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
      const c = process.cpuUsage(c0)
      cpu.push((c.user + c.system) / 1e3)
      if (version !== count - 1) throw new Error('replay incomplete')
    }
    times.sort((a, b) => a - b)
    cpu.sort((a, b) => a - b)
    const median = times[times.length >> 1]!
    console.log(
      `${name.padEnd(6)} median ${median.toFixed(1).padStart(7)} ms  min ${times[0]!.toFixed(1).padStart(7)} ms  cpu median ${cpu[cpu.length >> 1]!.toFixed(1).padStart(7)} ms  min ${cpu[0]!.toFixed(1).padStart(7)} ms`,
    )
    await app.close()
  }
  for (const statement of rawStatements.values()) statement.database.close()
  // (Each run writes a fresh store of several MB per config: leave none behind.)
  rmSync(folder, { recursive: true, force: true })
}

void main()
