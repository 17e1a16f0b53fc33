import { closeSync, existsSync, openSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import {
  openSqlite,
  type SqliteConnection,
  type SqliteDriverName,
  type SqliteStatement,
} from './sqliteDriver'
import { StoreUnavailable } from '../../errors'

type Statement = SqliteStatement

const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  originator_id TEXT NOT NULL,
  originator_version INTEGER NOT NULL,
  topic TEXT NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (originator_id, originator_version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS snapshots (
  originator_id TEXT NOT NULL,
  originator_version INTEGER NOT NULL,
  topic TEXT NOT NULL,
  state BLOB NOT NULL,
  PRIMARY KEY (originator_id, originator_version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_log (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  originator_id TEXT NOT NULL,
  from_version INTEGER NOT NULL,
  to_version INTEGER NOT NULL,
  topics TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS aggregates (
  originator_id TEXT PRIMARY KEY,
  aggregate_topic TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_modified INTEGER NOT NULL,
  version INTEGER NOT NULL,
  last_topic TEXT NOT NULL,
  last_position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aggregates_recent ON aggregates (last_position);
CREATE INDEX IF NOT EXISTS aggregates_by_topic ON aggregates (aggregate_topic, last_position);
-- Counting 100,000 index rows for every page of the list would be a scan: keep a counter,
-- maintained by a trigger in the writing transaction (an upsert's update path does not fire it).
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO counters (name, value) SELECT 'aggregates', count(*) FROM aggregates;
CREATE TRIGGER IF NOT EXISTS count_aggregates AFTER INSERT ON aggregates
BEGIN
  UPDATE counters SET value = value + 1 WHERE name = 'aggregates';
END;
-- The log position up to which \`aggregates\` holds every entry (sqliteAggregateIndex.ts). A
-- store from before it kept the index in every save: current up to the log's end.
INSERT OR IGNORE INTO counters (name, value)
  SELECT 'indexed_position', coalesce(max(position), 0) FROM event_log;
`

/** The tables, indexes and trigger SCHEMA makes, by name. */
const SCHEMA_OBJECTS = [
  'events',
  'snapshots',
  'event_log',
  'aggregates',
  'aggregates_recent',
  'aggregates_by_topic',
  'counters',
  'count_aggregates',
]
/** The columns of an events (or snapshots) table Eventscope reads. */
const RECORD_COLUMNS = ['originator_id', 'originator_version', 'topic', 'state']

interface SchemaState {
  /** No table at all: a new file. */
  empty: boolean
  /** Everything SCHEMA makes is there: opening writes nothing. */
  complete: boolean
  snapshotVersionsIndex: boolean
}

/**
 * What the file holds, read without writing. A file with tables but no events table of
 * Eventscope's columns is another program's: refused before anything is written to it.
 */
function inspectSchema(db: SqliteConnection): SchemaState {
  const names = new Set(
    db
      .prepare("SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .all()
      .map((row) => String(row[0])),
  )
  const snapshotVersionsIndex = names.has('snapshots_versions')
  if (names.size === 0) return { empty: true, complete: false, snapshotVersionsIndex }
  for (const table of ['events', 'snapshots']) {
    if (!names.has(table)) {
      if (table === 'events') throw notOurs(names)
      continue
    }
    const columns = db
      .prepare(`PRAGMA table_info(${table})`)
      .all()
      .map((row) => String(row[1]))
    const missing = RECORD_COLUMNS.filter((c) => !columns.includes(c))
    if (missing.length > 0)
      throw new Error(
        `it is not an Eventscope store: its ${table} table has no ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}`,
      )
  }
  let complete = SCHEMA_OBJECTS.every((name) => names.has(name))
  if (complete) {
    const counters = db
      .prepare("SELECT count(*) FROM counters WHERE name IN ('aggregates', 'indexed_position')")
      .get()?.[0]
    complete = Number(counters) === 2
  }
  return { empty: false, complete, snapshotVersionsIndex }
}

function notOurs(names: Set<string>): Error {
  const shown = [...names].slice(0, 5).join(', ')
  return new Error(
    `it is not an Eventscope store: it has no events table (it holds ${shown}${names.size > 5 ? ', …' : ''})`,
  )
}

/**
 * The versions of an aggregate's snapshots without their states. SQLite checks the end of a
 * range on a WITHOUT ROWID table by comparing each row's whole record, so listing the versions
 * of large snapshots from the primary key read every state: 400 versions of the demo's largest
 * aggregate took 50 ms, counting its 1,000 snapshots 80 ms; with this index 0.4 and 0.1 ms.
 * Events keep no such index (one more page written per save), their rows being small.
 *
 * Created apart from SCHEMA and only if it can be: a store an earlier version made gains it
 * when opened (about 30 ms for 300 MB of snapshots), but an optimisation never keeps a store
 * from opening (a file another process holds locked, or on read-only media, is read without it).
 */
const SNAPSHOT_VERSIONS_INDEX =
  'CREATE INDEX IF NOT EXISTS snapshots_versions ON snapshots (originator_id, originator_version)'

/**
 * The page cache of a connection, in KiB (SQLite's default is 2,000). Seeding 20,000 events
 * writes some 2,300 pages, at random places (events are keyed by aggregate id), past what the
 * default holds: three interleaved rounds of three seedings took 686, 763 and 780 ms of CPU
 * (medians) with this cache against 869, 1,052 and 920 with the default.
 */
const CACHE_KIB = 32 * 1024

/**
 * How a commit reaches the disk (SQLite's `synchronous`, with the journal in WAL mode):
 * - `FULL` (the default): the WAL is synced before a commit returns, so an acknowledged save
 *   survives a power loss or an OS crash. One sync per transaction, the cheapest durable
 *   setting: the rollback journal (DELETE) syncs at least twice per commit.
 * - `NORMAL`: the WAL is synced only at checkpoints. A save survives the process crashing,
 *   but the last ones before a power loss may be lost (the file stays consistent).
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL'

export interface SqliteStoreOptions {
  /** Default: the driver this runtime can load (defaultSqliteDriver). */
  readonly driver?: SqliteDriverName | undefined
  /** Default FULL: an acknowledged save survives power loss. */
  readonly synchronous?: SqliteSynchronous | undefined
  /**
   * How many log entries the aggregate index may lag behind before a save folds them in
   * (sqliteAggregateIndex.ts; listings are exact either way). Default DEFAULT_INDEX_LAG.
   */
  readonly indexLag?: number | undefined
  /**
   * Never write to the file: no schema is created or brought up to date, the journal mode is
   * left as it is, the aggregate index is not folded on close. A file with no Eventscope
   * tables yet is refused (there is nothing to read). Default false.
   */
  readonly readOnly?: boolean | undefined
}

/**
 * The embedded default: one SQLite file, events and snapshots in tables keyed by
 * (originator id, version); a batch and its log entry are written in one transaction, so the
 * log never misses a stored event (the aggregate index follows the log: sqliteAggregateIndex.ts).
 */
export class SqliteDatabase {
  readonly db: SqliteConnection
  readonly synchronous: SqliteSynchronous
  readonly indexLag: number | undefined
  readonly readOnly: boolean
  private readonly statements = new Map<string, Statement>()
  /**
   * The file the connection opened (device and inode). Deleted or replaced since, it is no
   * longer what the path names: SQLite would go on writing into the unlinked file, and every
   * save acknowledged after that would vanish with it (checkStillAtPath).
   */
  private readonly opened: { readonly dev: bigint; readonly ino: bigint } | undefined
  /** The write-ahead log the connection writes, once seen (checkStillAtPath). */
  private wal: { readonly dev: bigint; readonly ino: bigint } | undefined

  constructor(
    readonly path: string,
    driverOrOptions?: SqliteDriverName | SqliteStoreOptions,
  ) {
    const options =
      typeof driverOrOptions === 'string' ? { driver: driverOrOptions } : (driverOrOptions ?? {})
    this.synchronous = options.synchronous ?? 'FULL'
    this.indexLag = options.indexLag
    if (this.synchronous !== 'FULL' && this.synchronous !== 'NORMAL') {
      throw new TypeError(`synchronous must be FULL or NORMAL, not ${String(this.synchronous)}`)
    }
    this.readOnly = options.readOnly === true
    let db: SqliteConnection | undefined
    let schema: SchemaState
    try {
      if (path !== ':memory:') {
        if (this.readOnly && !existsSync(path)) throw new Error('no such file')
        if (!this.readOnly) createPrivateFile(path)
      }
      db = openSqlite(path, options.driver)
      this.opened = path === ':memory:' ? undefined : fileIdentity(path)
      db.exec(`PRAGMA synchronous = ${this.synchronous}; PRAGMA cache_size = -${CACHE_KIB};`)
      // Looked at before anything is written: another program's file is left as it was.
      schema = inspectSchema(db)
      if (!this.readOnly) {
        // Per connection: every connection this process opens sets it before its first write
        // (a no-op on a file in WAL mode already).
        if (String(db.prepare('PRAGMA journal_mode').get()?.[0]).toLowerCase() !== 'wal')
          db.exec('PRAGMA journal_mode = WAL')
        if (!schema.complete) db.exec(SCHEMA)
      } else if (!schema.complete) {
        throw new Error(
          schema.empty
            ? 'it holds no Eventscope store yet, and a read-only connection creates nothing'
            : 'it was written by an earlier Eventscope: open it once without read-only to bring it up to date',
        )
      }
    } catch (error) {
      db?.close()
      throw new StoreUnavailable(
        `cannot open SQLite database '${path}': ${(error as Error).message}`,
        { cause: error },
      )
    }
    this.db = db
    if (!schema.snapshotVersionsIndex && !this.readOnly) {
      try {
        this.db.exec(SNAPSHOT_VERSIONS_INDEX)
      } catch {
        // Listing snapshot versions reads the primary key instead (slower on large states).
      }
    }
  }

  /**
   * Refuses, as StoreUnavailable, when the path no longer names the file this connection
   * opened (deleted, or another file moved in), or its write-ahead log is not the one it writes
   * (deleted alone: SQLite would go on appending commits to the unlinked log, lost if the
   * process stops before a checkpoint, and invisible to every other connection). Called at the
   * start of each write transaction (two stats: microseconds beside a commit's sync), and by the
   * log's reads, which the log follower makes every few hundred milliseconds, so the page shows
   * it as an outage.
   */
  checkStillAtPath(): void {
    if (!this.opened) return
    const now = identityAt(this.path)
    if (now === undefined || now.dev !== this.opened.dev || now.ino !== this.opened.ino) {
      throw new StoreUnavailable(
        `the SQLite file '${this.path}' was ${now === undefined ? 'deleted' : 'replaced by another file'} since it was opened: nothing more is written to the file that was there (saves would be lost with it); connect again to open what the path names now`,
      )
    }
    // The log is made by the connection's first transaction, so it is known from when first seen.
    const wal = identityAt(`${this.path}-wal`)
    this.wal ??= wal
    if (this.wal && (wal === undefined || wal.dev !== this.wal.dev || wal.ino !== this.wal.ino)) {
      throw new StoreUnavailable(
        `the write-ahead log of the SQLite file '${this.path}' (${this.path}-wal) was ${wal === undefined ? 'deleted' : 'replaced'} while the file was open: nothing more is written (saves would be lost with it); connect again`,
      )
    }
  }

  /** Statements are prepared once per distinct SQL text and reused. */
  prepare(sql: string): Statement {
    let statement = this.statements.get(sql)
    if (!statement) {
      statement = this.db.prepare(sql)
      this.statements.set(sql, statement)
    }
    return statement
  }

  close(): void {
    this.db.close()
  }
}

function fileIdentity(path: string): { dev: bigint; ino: bigint } {
  const { dev, ino } = statSync(path, { bigint: true })
  return { dev, ino }
}

/** The file's identity, or undefined when there is no file at `path`. */
function identityAt(path: string): { dev: bigint; ino: bigint } | undefined {
  try {
    return fileIdentity(path)
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined
    throw unreachableFile(path, error)
  }
}

function unreachableFile(path: string, cause: unknown): StoreUnavailable {
  return new StoreUnavailable(
    `cannot check the SQLite file '${path}': ${(cause as Error).message}`,
    { cause },
  )
}

/**
 * Creates the database file readable by its owner only (0600) when it does not exist yet;
 * SQLite gives the -wal and -shm files it makes later the same mode. Never creates a folder: a
 * path in a missing folder is an error, not a reason to make one.
 */
function createPrivateFile(path: string): void {
  const folder = dirname(path)
  let isFolder = false
  try {
    isFolder = statSync(folder).isDirectory()
  } catch {
    // reported below
  }
  if (!isFolder)
    throw new Error(`the folder ${folder} does not exist (Eventscope never creates folders)`)
  try {
    closeSync(openSync(path, 'wx', 0o600))
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error
  }
}
