/**
 * What an ExplorerService is given: where live events go, keys, settings and limits; and the
 * settings it starts with, read from them and the environment.
 */
import type { EventName, EventOf } from '../../shared/contract'
import { messageOf } from './connection'
import type { SqlitePathPolicy } from './sqlitePathPolicy'
import { DEFAULT_CHECKPOINT_MEMORY_MB } from '../../shared/settings'
import {
  DEFAULT_SNAPSHOT_PERIOD,
  parseCheckpointMemory,
  parseCipherKey,
  parseSnapshotPeriod,
  readOnlyLockFromEnv,
  type KeySource,
} from './settings'

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
  /**
   * Bytes the in-memory checkpoints may take (checkpoints.ts); default from
   * EVENTSCOPE_CHECKPOINT_MB (256 MiB). 0: none.
   */
  readonly checkpointMemoryBytes?: number
  /**
   * The share of a replay's time that copying states into checkpoints may take (default 0.6;
   * checkpoints past it are skipped). Tests give Infinity, so what is kept does not depend on
   * the load.
   */
  readonly checkpointCopyShare?: number
  /**
   * A stored snapshot whose decode took at least this many ms starts a background fill of its
   * aggregate's checkpoints (checkpointFill.ts; default 15). Tests give 0 or Infinity.
   */
  readonly checkpointFillAfterDecodeMs?: number
  /** Events scanned at most by one filtered listEvents call (default 5,000). */
  readonly scanBudget?: number
  /**
   * How long a reconnect waits for the requests in flight on the old connection before it
   * aborts its tasks and closes it (default 5,000 ms).
   */
  readonly drainTimeoutMs?: number
}

/** The cipher key, snapshot period and read-only lock a service starts with. */
export interface StartupSettings {
  /** EVENTSCOPE_READ_ONLY: every connection of this run is read-only. */
  readonly readOnlyLocked: boolean
  /** The environment's key (or the `cipherKey` option): what forgetCipherKey falls back to. */
  readonly environmentKey: Uint8Array | undefined
  readonly cipherKey: Uint8Array | undefined
  readonly keySource: KeySource
  /** A malformed EVENTSCOPE_CIPHER_KEY: nothing connects until it is fixed or a key is entered. */
  readonly keyError: string | undefined
  readonly snapshotPeriod: number
  /** A malformed EVENTSCOPE_SNAPSHOT_PERIOD: nothing connects until it is fixed. */
  readonly periodError: string | undefined
  readonly checkpointMemoryBytes: number
  /** A malformed EVENTSCOPE_CHECKPOINT_MB: nothing connects until it is fixed. */
  readonly checkpointError: string | undefined
}

/** Reads the options and the environment; an invalid value becomes an error to show, not a throw. */
export function startupSettings(options: ExplorerServiceOptions): StartupSettings {
  const env = options.env ?? {}
  const readOnlyLocked = readOnlyLockFromEnv(env)
  let keyError: string | undefined
  let periodError: string | undefined
  let environmentKey: Uint8Array | undefined
  let snapshotPeriod = DEFAULT_SNAPSHOT_PERIOD
  try {
    environmentKey =
      'cipherKey' in options ? options.cipherKey : parseCipherKey(env['EVENTSCOPE_CIPHER_KEY'])
  } catch (error) {
    keyError = `${messageOf(error)}; fix it and restart, or enter a key`
  }
  try {
    snapshotPeriod =
      options.snapshotPeriod ?? parseSnapshotPeriod(env['EVENTSCOPE_SNAPSHOT_PERIOD'])
  } catch (error) {
    periodError = `${messageOf(error)}; fix it and restart`
  }
  let checkpointMemoryBytes = DEFAULT_CHECKPOINT_MEMORY_MB * MIB
  let checkpointError: string | undefined
  try {
    checkpointMemoryBytes =
      options.checkpointMemoryBytes ?? parseCheckpointMemory(env['EVENTSCOPE_CHECKPOINT_MB']) * MIB
  } catch (error) {
    checkpointError = `${messageOf(error)}; fix it and restart`
  }
  let cipherKey: Uint8Array | undefined
  let keySource: KeySource
  // The environment's key wins; a saved one is used when the environment has none.
  if (environmentKey) {
    cipherKey = environmentKey
    keySource = 'environment'
  } else if (options.savedCipherKey && keyError === undefined) {
    cipherKey = options.savedCipherKey
    keySource = 'saved'
  } else {
    keySource = 'none'
  }
  return {
    readOnlyLocked,
    environmentKey,
    cipherKey,
    keySource,
    keyError,
    snapshotPeriod,
    periodError,
    checkpointMemoryBytes,
    checkpointError,
  }
}

const MIB = 1024 * 1024
