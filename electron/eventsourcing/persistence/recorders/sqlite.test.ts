import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeRecorderContract } from '../../../../test/recorderContract'
import { createSqliteStore } from './sqlite'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-'))
let n = 0
describeRecorderContract('sqlite', async () => createSqliteStore(join(folder, `store-${++n}.sqlite`)))
