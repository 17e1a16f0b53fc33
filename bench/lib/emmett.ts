/**
 * Emmett's SQLite event store, loaded from .cache/bench-node (never from the project's
 * package.json). On a file database Emmett opens a node-sqlite3 connection per call unless
 * given one to share; a tight append loop then fails with SQLITE_BUSY (docs/performance.md
 * says why), so the bench uses its shared-connection mode: one connection, passed as
 * `connectionOptions: { singleton: true, connection }`, used by every call and closed by us.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { BENCH_NODE } from './harness'

export type EmmettEvent = { type: string; data: Record<string, unknown> }

export interface EmmettStore {
  appendToStream(stream: string, events: EmmettEvent[]): Promise<unknown>
  aggregateStream<S>(
    stream: string,
    options: { evolve: (state: S, event: EmmettEvent) => S; initialState: () => S },
  ): Promise<{ state: S; currentStreamVersion: bigint }>
}

export interface EmmettConnection {
  close(): void
}

interface EmmettModule {
  getSQLiteEventStore(options: {
    fileName: string
    connectionOptions?: { singleton: true; connection: EmmettConnection }
  }): EmmettStore
  sqliteConnection(options: { fileName: string }): EmmettConnection
}

const PACKAGE = join(BENCH_NODE, 'node_modules/@event-driven-io/emmett-sqlite')

export const emmettMissing = (): string | undefined =>
  existsSync(PACKAGE)
    ? undefined
    : 'no .cache/bench-node/node_modules/@event-driven-io/emmett-sqlite (run: bash bench/setup-compare.sh)'

export const emmettVersion = (): string =>
  (JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }).version

/** An event store on `fileName` sharing one connection; close() closes that connection. */
export async function openEmmett(
  fileName: string,
): Promise<{ store: EmmettStore; version: string; close(): void }> {
  const require = createRequire(join(BENCH_NODE, 'package.json'))
  const module = (await import(
    pathToFileURL(require.resolve('@event-driven-io/emmett-sqlite')).href
  )) as EmmettModule
  const connection = module.sqliteConnection({ fileName })
  const store = module.getSQLiteEventStore({
    fileName,
    connectionOptions: { singleton: true, connection },
  })
  return { store, version: emmettVersion(), close: () => connection.close() }
}
