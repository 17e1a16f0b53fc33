/**
 * Replay of one 10,000-event aggregate from SQLite: plain, compressed, encrypted, with and
 * without the hash-chain check. Prints events/second and ratios; run with
 *   npx tsx --tsconfig tsconfig.node.json bench/replay.ts [events]
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildReplayFixture } from './fixture'

const count = Number(process.argv[2] ?? 10_000)
const folder = mkdtempSync(join(tmpdir(), 'eventscope-bench-'))

async function measure(
  label: string,
  options: { cipher: boolean; compress: boolean; verify: boolean },
): Promise<number> {
  const path = join(folder, `${label.replace(/\W+/g, '-')}.sqlite`)
  const { app, id } = await buildReplayFixture({ path, count, ...options })
  const runs: number[] = []
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint()
    const { aggregate: loaded } = await app.repository.replay(id)
    const ms = Number(process.hrtime.bigint() - t0) / 1e6
    if (loaded?.version !== count - 1) throw new Error('replay incomplete')
    runs.push(ms)
  }
  runs.sort((a, b) => a - b)
  const median = runs[3]!
  console.log(
    `${label.padEnd(36)} ${median.toFixed(1).padStart(8)} ms  ${Math.round(count / (median / 1000))
      .toLocaleString('en')
      .padStart(10)} events/s`,
  )
  await app.close()
  return median
}

const plain = await measure('plain JSON, no hash check', {
  cipher: false,
  compress: false,
  verify: false,
})
const plainHash = await measure('plain JSON + hash chain', {
  cipher: false,
  compress: false,
  verify: true,
})
const zlib = await measure('zlib + hash chain', { cipher: false, compress: true, verify: true })
const full = await measure('zlib + AES-GCM + hash chain', {
  cipher: true,
  compress: true,
  verify: true,
})
console.log(
  `hash-chain check costs ×${(plainHash / plain).toFixed(2)}; encryption on top of zlib costs ×${(full / zlib).toFixed(2)}`,
)
