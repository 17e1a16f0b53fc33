/**
 * An open Python `eventsourcing` store: its reader, its codec (the application's CIPHER_KEY),
 * and the follower of its notification log. What the explorer shows of such a store is built
 * from these (handlers.ts); its aggregates are types with no definition loaded: state comes
 * from snapshots, events are shown as stored.
 */
import type { ConnectionSettings, KeyStatus } from '../../../shared/contract'
import { type LogEntry, StoreUnavailable } from '../../eventsourcing'
import { sqliteDriverFromEnv } from '../storeEnv'
import { PythonCodec, type PythonRecord } from './codec'
import { checkPythonKey } from './keyCheck'
import { openPythonPostgres } from './postgresReader'
import { pythonTables, type PythonReader } from './reader'
import { openPythonSqlite } from './sqliteReader'

export type PythonSettings = Extract<
  ConnectionSettings,
  { kind: 'python-sqlite' | 'python-postgres' }
>

export function isPythonSettings(settings: ConnectionSettings): settings is PythonSettings {
  return settings.kind === 'python-sqlite' || settings.kind === 'python-postgres'
}

export interface PythonSession {
  readonly reader: PythonReader
  readonly codec: PythonCodec
  /** The key compared with the store's newest events at open (keyCheck.ts); none when empty. */
  readonly keyStatus: KeyStatus | undefined
  /** Whether its events are stored encrypted; undefined when it holds none to tell from. */
  readonly encrypted: boolean | undefined
  /**
   * How many aggregates the store holds: the reader's count, which reads the whole primary key
   * (no counter in a Python store), so kept COUNT_TTL_MS, and counted again sooner once the
   * log shows an aggregate created since.
   */
  countAggregates(): Promise<number>
  /** Starts following the notification log from its end (no-op without one). */
  follow(onEntries: (entries: LogEntry[]) => void, onError: (error: unknown) => void): Promise<void>
  close(): Promise<void>
}

export async function openPythonSession(
  settings: PythonSettings,
  options: { cipherKey: Uint8Array | undefined; pollIntervalMs: number },
): Promise<PythonSession> {
  const codec = new PythonCodec(
    options.cipherKey ? Buffer.from(options.cipherKey).toString('base64') : undefined,
  )
  const database = settings.kind === 'python-sqlite' ? 'sqlite' : 'postgres'
  const named = pythonTables(database, settings.pythonApplication)
  const tables = {
    events: settings.pythonEventsTable ?? named.events,
    snapshots: settings.pythonSnapshotsTable ?? named.snapshots,
  }
  const reader =
    settings.kind === 'python-sqlite'
      ? openPythonSqlite(settings.path, tables, sqliteDriverFromEnv())
      : await openPythonPostgres({
          url: postgresUrl(settings),
          tables,
          ...(settings.pgSchema ? { schema: settings.pgSchema } : {}),
          tls: settings.pgTls,
        })
  try {
    const checked = await checkPythonKey(reader, codec)
    if (checked.plain) codec.markPlainStore()
    return new Session(reader, codec, checked.keyStatus, checked.encrypted, options.pollIntervalMs)
  } catch (error) {
    await reader.close().catch(() => undefined)
    throw error
  }
}

function postgresUrl(settings: Extract<PythonSettings, { kind: 'python-postgres' }>): string {
  const url = new URL('postgres://localhost')
  url.hostname = settings.pgHost.includes(':') ? `[${settings.pgHost}]` : settings.pgHost
  url.port = String(settings.pgPort)
  url.pathname = `/${encodeURIComponent(settings.pgDatabase)}`
  if (settings.pgUser) url.username = encodeURIComponent(settings.pgUser)
  if (settings.pgPassword) url.password = encodeURIComponent(settings.pgPassword)
  return url.toString()
}

const LOG_PAGE = 500
const COUNT_TTL_MS = 5000

class Session implements PythonSession {
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  /** Creations the follower has seen: a count taken before the last one is out of date. */
  private creations = 0
  private counted: { at: number; creations: number; total: Promise<number> } | undefined

  constructor(
    readonly reader: PythonReader,
    readonly codec: PythonCodec,
    readonly keyStatus: KeyStatus | undefined,
    readonly encrypted: boolean | undefined,
    private readonly intervalMs: number,
  ) {}

  countAggregates(): Promise<number> {
    const cached = this.counted
    if (cached && cached.creations === this.creations && Date.now() - cached.at < COUNT_TTL_MS)
      return cached.total
    const counted = {
      at: Date.now(),
      creations: this.creations,
      total: this.reader.countAggregates(),
    }
    this.counted = counted
    counted.total.catch(() => {
      if (this.counted === counted) this.counted = undefined
    })
    return counted.total
  }

  async follow(
    onEntries: (entries: LogEntry[]) => void,
    onError: (error: unknown) => void,
  ): Promise<void> {
    let after = await this.reader.lastNotificationId()
    if (after === undefined) return
    let failing = false
    const poll = async (): Promise<void> => {
      try {
        // Paged by notification id (the library's unique index): never a scan of the table.
        for (;;) {
          const records = await this.reader.notifications(after!, LOG_PAGE)
          if (records.length > 0) {
            after = records[records.length - 1]!.notificationId!
            // An aggregate starts at version 1, or 0 (INITIAL_VERSION = 0): an event at either may
            // be a new one. Counting a second event too only makes the count be taken sooner.
            this.creations += records.filter((r) => r.originatorVersion <= 1).length
            onEntries(records.map((r) => this.entry(r)))
          }
          if (records.length < LOG_PAGE || this.stopped) break
        }
        failing = false
      } catch (error) {
        if (!failing) onError(error)
        failing = true
      }
      if (!this.stopped) this.timer = setTimeout(() => void poll(), this.intervalMs)
    }
    this.timer = setTimeout(() => void poll(), this.intervalMs)
  }

  /** One log entry per notification: the library writes one row per event. */
  private entry(record: PythonRecord): LogEntry {
    let recordedAt = new Date()
    try {
      const stamp = this.codec.decode(record)['timestamp']
      if (typeof stamp === 'string' && !Number.isNaN(Date.parse(stamp)))
        recordedAt = new Date(stamp)
    } catch {
      // Undecodable (no or a wrong key): the entry still says which aggregate changed.
    }
    return {
      position: String(record.notificationId),
      originatorId: record.originatorId,
      fromVersion: record.originatorVersion,
      toVersion: record.originatorVersion,
      topics: [record.topic],
      recordedAt,
    }
  }

  async close(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    await this.reader.close()
  }
}

export function notPython(): never {
  throw new StoreUnavailable('not a Python eventsourcing connection')
}
