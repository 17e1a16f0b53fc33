import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  pythonTestDatabase,
  type ReportedApplication,
  writePythonStores,
  type WriteReport,
} from '../../../test/pythonStores'
import { StoreUnavailable } from '../../eventsourcing'
import { PythonCodec } from './codec'
import { openPythonPostgres } from './postgresReader'
import { pythonTables, type PythonReader } from './reader'
import { checkApplication, expectUndecodable } from './readerChecks'

/*
 * A real PostgreSQL (scripts/postgres.sh, started here when it is not running; or
 * EVENTSCOPE_TEST_POSTGRES_URL) holding tables Python's eventsourcing 9.5.6 wrote. In CI a
 * server that cannot start fails these tests; elsewhere they are skipped with a loud warning.
 */
const { database, unavailable } = await pythonTestDatabase('the Python PostgreSQL tests')

let report: WriteReport
const pgApps = (): ReportedApplication[] =>
  report.applications.filter((a) => a.backend === 'postgres')
const app = (name: string): ReportedApplication => pgApps().find((a) => a.name === name)!
const readers: PythonReader[] = []
async function open(a: ReportedApplication): Promise<PythonReader> {
  const reader = await openPythonPostgres({
    url: database!.url,
    tables: pythonTables('postgres', a.name),
    ...(a.tables.schema ? { schema: a.tables.schema } : {}),
  })
  readers.push(reader)
  return reader
}

describe.skipIf(unavailable !== undefined && !process.env['CI'])(
  'Python eventsourcing on PostgreSQL',
  () => {
    beforeAll(() => {
      if (unavailable) throw new Error(`PostgreSQL for the Python store tests: ${unavailable}`)
      report = writePythonStores({ postgresUrl: database!.url })
    }, 120_000)
    afterAll(async () => {
      for (const r of readers) await r.close()
      await database?.drop()
    })

    test.each(['Shop', 'Library', 'Plain', 'Ledger'])(
      '%s: every aggregate, version, payload, snapshot and notification as the library wrote it',
      async (name) => {
        const a = app(name)
        expect(a.tables.events).toBe(`${name.toLowerCase()}_events`)
        await checkApplication(await open(a), a, report.key)
      },
    )

    test('a wrong key and no key: each encrypted record is a DataIntegrityError', async () => {
      const other = Buffer.alloc(32, 9).toString('base64')
      await expectUndecodable(
        await open(app('Library')),
        app('Library'),
        new PythonCodec(other),
        /cipher key is wrong/,
      )
      await expectUndecodable(
        await open(app('Shop')),
        app('Shop'),
        new PythonCodec(),
        /no cipher key/,
      )
    })

    test('the schema and the application name select the tables', async () => {
      // Library lives in schema pyapps: not found in public.
      await expect(
        openPythonPostgres({ url: database!.url, tables: pythonTables('postgres', 'Library') }),
      ).rejects.toThrow(/no table public.library_events/)
      await expect(
        openPythonPostgres({ url: database!.url, tables: pythonTables('postgres', 'Nobody') }),
      ).rejects.toThrow(StoreUnavailable)
    })

    test('connections are read-only: a write is refused by the server', async () => {
      const reader = await open(app('Plain'))
      expect(reader.description).toContain('plain_events')
      const { default: pg } = await import('pg')
      const client = new pg.Client({
        connectionString: database!.url,
        options: '-c default_transaction_read_only=on',
      })
      await client.connect()
      try {
        await expect(client.query('DELETE FROM plain_events')).rejects.toThrow(/read-only/)
      } finally {
        await client.end()
      }
    })

    test('the list takes a plain timestamp from the bytes, and the state when it is not plain', async () => {
      const reader = await open(app('Plain'))
      const [change] = await reader.recentChanges(undefined, 1)
      const victim = change!.ends!.last
      expect([victim.timestamp, victim.state]).toEqual([expect.any(String), undefined])
      // Its timestamp's '+' rewritten as a JSON escape (what a writer other than the library
      // could store): the same value, but not what the shortcut reads. Put back afterwards.
      const { default: pg } = await import('pg')
      const client = new pg.Client({ connectionString: database!.url })
      await client.connect()
      const where = 'WHERE notification_id = $1'
      try {
        const { rows } = await client.query<{ state: Buffer }>(
          `SELECT state FROM plain_events ${where}`,
          [change!.notificationId],
        )
        const original = rows[0]!.state
        const escaped = Buffer.from(original.toString('utf8').replace('+', '\\u002b'))
        await client.query(`UPDATE plain_events SET state = $2 ${where}`, [
          change!.notificationId,
          escaped,
        ])
        try {
          const [again] = await reader.recentChanges(undefined, 1)
          const event = again!.ends!.last
          expect(event.timestamp).toBeUndefined()
          expect(Buffer.from(event.state!).equals(escaped)).toBe(true)
          const codec = new PythonCodec()
          expect(codec.timestamp({ ...event, state: event.state! })).toBe(victim.timestamp)
        } finally {
          await client.query(`UPDATE plain_events SET state = $2 ${where}`, [
            change!.notificationId,
            original,
          ])
        }
      } finally {
        await client.end()
      }
    })

    test('a server that does not answer is StoreUnavailable', async () => {
      await expect(
        openPythonPostgres({
          url: 'postgres://nobody:x@127.0.0.1:1/none',
          tables: pythonTables('postgres', 'Shop'),
        }),
      ).rejects.toThrow(/cannot connect to PostgreSQL/)
    })
  },
)
