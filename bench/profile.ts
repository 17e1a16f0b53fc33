/**
 * Repeated replays of one aggregate for profiling and steadier medians than replay.ts:
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile.ts [config] [runs] [events]
 * config: plain | hash | zlib | full | all (default all).
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildReplayFixture } from './fixture'

const CONFIGS = {
  plain: { cipher: false, compress: false, verify: false },
  hash: { cipher: false, compress: false, verify: true },
  zlib: { cipher: false, compress: true, verify: true },
  full: { cipher: true, compress: true, verify: true },
} as const

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'all'
  const runs = Number(process.argv[3] ?? 21)
  const count = Number(process.argv[4] ?? 10_000)
  const folder = mkdtempSync(join(tmpdir(), 'eventscope-profile-'))
  for (const [name, options] of Object.entries(CONFIGS)) {
    if (which !== 'all' && which !== name) continue
    const { app, id } = await buildReplayFixture({
      path: join(folder, `${name}.sqlite`),
      count,
      ...options,
    })
    const times: number[] = []
    for (let r = 0; r < runs; r++) {
      const t0 = process.hrtime.bigint()
      const { aggregate: loaded } = await app.repository.replay(id)
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
      if (loaded?.version !== count - 1) throw new Error('replay incomplete')
    }
    times.sort((a, b) => a - b)
    const median = times[times.length >> 1]!
    console.log(
      `${name.padEnd(6)} median ${median.toFixed(1).padStart(7)} ms  min ${times[0]!.toFixed(1).padStart(7)} ms`,
    )
    await app.close()
  }
}

void main()
