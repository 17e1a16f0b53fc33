/**
 * Runs the seed's "Run the code" walk-through against a store and prints TAP 14: one line per
 * assertion, a plan line, exit code 0 only if every assertion held.
 *
 *   npm run scenario -- --store memory|sqlite|cassandra [--sqlite-path FILE] [--snapshot-period N]
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { inspect } from 'node:util'
import { openStore, type StoreSettings } from '../electron/eventsourcing'
import { cassandraSettingsFromEnv, sqliteDriverFromEnv } from '../electron/explorer/storeEnv'
import { EverythingApplication } from '../electron/example/everythingApplication'
import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import { runWalkthrough } from '../electron/example/walkthrough'

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      store: { type: 'string', default: 'memory' },
      'sqlite-path': { type: 'string' },
      keyspace: { type: 'string' },
    },
  })
  const kind = values.store
  let settings: StoreSettings
  if (kind === 'memory') settings = { kind }
  else if (kind === 'sqlite') {
    const path =
      values['sqlite-path'] ??
      join(mkdtempSync(join(tmpdir(), 'eventscope-scenario-')), 'scenario.sqlite')
    const driver = sqliteDriverFromEnv()
    settings = { kind, path, ...(driver ? { driver } : {}) }
  } else if (kind === 'cassandra') {
    const base = cassandraSettingsFromEnv()
    settings = { kind, ...base, keyspace: values.keyspace ?? base.keyspace }
  } else {
    console.error(`unknown store '${String(kind)}': use memory, sqlite or cassandra`)
    return 2
  }

  console.log('TAP version 14')
  const store = await openStore(settings)
  console.log(
    `# store: ${store.kind} (${store.description}); encryption: AES-128-GCM with the seed's key; snapshot period 2`,
  )
  let n = 0
  let failed = 0
  const app = new EverythingApplication({ store, cipherKey: SEED_CIPHER_KEY })
  try {
    await runWalkthrough(app, (check) => {
      n += 1
      if (check.ok) {
        console.log(`ok ${n} - ${check.description}`)
      } else {
        failed += 1
        console.log(`not ok ${n} - ${check.description}`)
        console.log('  ---')
        console.log(`  actual: ${inspect(check.actual, { depth: 4, breakLength: Infinity })}`)
        console.log('  ...')
      }
    })
  } catch (error) {
    n += 1
    failed += 1
    console.log(`not ok ${n} - the walk-through ran to its end`)
    console.log('  ---')
    console.log(`  error: ${inspect(error, { breakLength: Infinity }).split('\n').join('\n    ')}`)
    console.log('  ...')
  } finally {
    await app.close()
  }
  console.log(`1..${n}`)
  console.log(failed === 0 ? `# all ${n} checks held` : `# ${failed} of ${n} checks failed`)
  return failed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.log('Bail out! ' + (error instanceof Error ? error.message : String(error)))
    process.exit(1)
  },
)
