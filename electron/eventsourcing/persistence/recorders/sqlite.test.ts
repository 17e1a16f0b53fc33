import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeRecorderContract } from '../../../../test/recorderContract'
import { describe, expect, test } from 'vitest'
import { sqliteDriverFromEnv } from '../../../explorer/storeEnv'
import { createSqliteStore, sqliteDriverOf } from './sqlite'

const folder = mkdtempSync(join(tmpdir(), 'eventscope-sqlite-'))
let n = 0
describeRecorderContract('sqlite', async () =>
  createSqliteStore(join(folder, `store-${++n}.sqlite`), sqliteDriverFromEnv()),
)

// The desktop app runs on Electron's own Node, where the recorders use node:sqlite (a native
// module built for this Node would not load there). npm test runs this file once more under
// Node 22 with EVENTSCOPE_SQLITE_DRIVER=node:sqlite; here the driver in use is reported.
describe('the SQLite driver', () => {
  test('is the one the environment asks for', () => {
    const store = createSqliteStore(join(folder, `driver-${++n}.sqlite`), sqliteDriverFromEnv())
    const expected = process.env['EVENTSCOPE_SQLITE_DRIVER'] ?? 'better-sqlite3'
    expect(sqliteDriverOf(store)).toBe(expected)
    void store.close()
  })
})
