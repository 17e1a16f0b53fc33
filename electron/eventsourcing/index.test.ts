import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

/**
 * Whether importing `module` (in a fresh Node process, through tsx as the scripts run) loads
 * cassandra-driver. The driver is big and only some users need it: the index must not load it.
 */
function loadsCassandraDriver(module: string): boolean {
  const path = fileURLToPath(new URL(module, import.meta.url))
  const probe = `
    import { createRequire } from 'node:module'
    await import(${JSON.stringify(path)})
    const loaded = Object.keys(createRequire(import.meta.url).cache)
    console.log(JSON.stringify(loaded.some((file) => file.includes('/node_modules/cassandra-driver/'))))
  `
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '--eval', probe],
    { encoding: 'utf8', timeout: 60_000 },
  )
  if (child.status !== 0) throw new Error(`probe failed: ${child.stderr}`)
  return JSON.parse(child.stdout.trim()) as boolean
}

describe("the library's index", () => {
  test('does not load the Cassandra driver', () => {
    expect(loadsCassandraDriver('./index.ts')).toBe(false)
  })

  test('the Cassandra store module does (so the check above can tell)', () => {
    expect(loadsCassandraDriver('./persistence/recorders/cassandra/index.ts')).toBe(true)
  })
})
