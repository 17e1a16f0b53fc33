import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Application, createSqliteStore } from '../electron/eventsourcing'
import { seedDemoData } from '../electron/explorer/seeding'
import { seedableType } from '../electron/explorer/commands'
import { DEFAULT_SEED_TYPE } from '../electron/explorer/builtInTypes'
const dir = mkdtempSync(join(tmpdir(), 'durable-'))
const app = new Application({ store: createSqliteStore(join(dir, 'a.sqlite')), snapshotPeriod: Number(process.argv[3] ?? 2) })
const t = performance.now()
const r = await seedDemoData(app, { type: seedableType(DEFAULT_SEED_TYPE), aggregates: Number(process.argv[2] ?? 2000), events: 10 })
const s = (performance.now() - t) / 1000
console.log(r, Math.round(r.events / s), 'ev/s')
