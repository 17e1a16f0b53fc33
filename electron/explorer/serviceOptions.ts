/** What an ExplorerService is given: where live events go, keys, settings and limits. */
import type { EventName, EventOf } from '../../shared/contract'
import type { SqlitePathPolicy } from './sqlitePathPolicy'

export type Emit = <E extends EventName>(event: E, payload: EventOf<E>) => void

/**
 * Where the desktop app keeps an entered cipher key between runs (Electron's safeStorage).
 * Absent (browser mode): an entered key lives only as long as this service.
 */
export interface CipherKeyStore {
  /** Whether a secure store exists here (e.g. an OS keychain is available). */
  available(): boolean
  save(key: Uint8Array): void | Promise<unknown>
  clear(): void | Promise<unknown>
}

export interface ExplorerServiceOptions {
  /** Live events for the renderer (`changes`, `progress`, `connection`). */
  readonly emit: Emit
  /**
   * Where EVENTSCOPE_CIPHER_KEY and EVENTSCOPE_SNAPSHOT_PERIOD are read from when `cipherKey`
   * and `snapshotPeriod` are not given. An invalid value does not throw: the service stays
   * disconnected and the connection info says what to fix.
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Holds the default SQLite file (`eventscope.sqlite`) unless `defaultSqlitePath` is given. */
  readonly dataDir?: string
  /** AES key; undefined: no encryption. Stays in this process. Reported as the environment's. */
  readonly cipherKey?: Uint8Array | undefined
  /** A key saved by an earlier run (keyStore); used when the environment has none. */
  readonly savedCipherKey?: Uint8Array | undefined
  /** Keeps an entered key between runs (`setCipherKey({ remember: true })`). */
  readonly keyStore?: CipherKeyStore
  readonly snapshotPeriod?: number
  /** The file a sqlite connection without a path opens. */
  readonly defaultSqlitePath?: string
  /** Which SQLite files `connect` may open; default: any file in an existing folder. */
  readonly sqlitePathPolicy?: SqlitePathPolicy
  /** How often the log follower polls (default 400 ms). */
  readonly pollIntervalMs?: number
  /** Live handles kept at most; the least recently used is dropped beyond (default 200). */
  readonly maxHandles?: number
  /** Events scanned at most by one filtered listEvents call (default 5,000). */
  readonly scanBudget?: number
  /**
   * How long a reconnect waits for the requests in flight on the old connection before it
   * aborts its tasks and closes it (default 5,000 ms).
   */
  readonly drainTimeoutMs?: number
}
