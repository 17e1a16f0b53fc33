/**
 * The typed values some settings take (store kinds, label colours, SQLite drivers) and the
 * defaults settings.ts describes; settings.ts re-exports them.
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 */
import { z } from 'zod'

export const StoreKind = z.enum([
  'memory',
  'sqlite',
  'cassandra',
  'python-sqlite',
  'python-postgres',
])
/** The stores of Python's eventsourcing library: always opened read-only. */
export const PYTHON_STORE_KINDS = ['python-sqlite', 'python-postgres'] as const
export type StoreKind = z.infer<typeof StoreKind>

/** The label's colours: a fixed palette, each shown with text of ≥ 4.5:1 contrast. */
export const LabelColour = z.enum(['red', 'orange', 'green', 'blue', 'purple', 'grey'])
export type LabelColour = z.infer<typeof LabelColour>

/** The library's SQLite drivers (storeEnv.ts checks that the names match). */
export const SQLITE_DRIVERS = ['better-sqlite3', 'node:sqlite'] as const
export type SqliteDriverSetting = (typeof SQLITE_DRIVERS)[number]

export const DEFAULT_SNAPSHOT_PERIOD = 2
/** Memory for the explorer's in-memory checkpoints of replayed aggregates, in MiB. */
export const DEFAULT_CHECKPOINT_MEMORY_MB = 256
export const DEFAULT_CONTACT_POINT = '127.0.0.1:9042'
