/**
 * The explorer's settings from the environment (README, "Settings"). The cipher key is parsed
 * here and handed to the service; it never leaves the main process and never appears in a
 * message.
 */
import { join } from 'node:path'
import { ConnectionSettings, LabelColour } from '../../shared/contract'
import { ConfigurationError } from '../eventsourcing'
import { cassandraSettingsFromEnv } from './storeEnv'

export interface ExplorerSettings {
  /** What to connect to at start-up (the connection screen can pick another). */
  readonly connection: ConnectionSettings
  /** AES key bytes; undefined: nothing is encrypted. */
  readonly cipherKey: Uint8Array | undefined
  /** Snapshot every N versions; 0: never. */
  readonly snapshotPeriod: number
  /** The SQLite file used when a sqlite connection names no path. */
  readonly defaultSqlitePath: string
}

export const DEFAULT_SNAPSHOT_PERIOD = 2
export const SQLITE_FILE_NAME = 'eventscope.sqlite'

type Env = Readonly<Record<string, string | undefined>>

/**
 * Reads the settings. `dataDir` is where the default SQLite file lives: Electron passes
 * app.getPath('userData'), browser mode `.eventscope/` under the working directory.
 * Throws ConfigurationError with a message a user can act on.
 */
export async function settingsFromEnv(
  env: Env,
  options: { dataDir: string },
): Promise<ExplorerSettings> {
  const defaultSqlitePath = join(options.dataDir, SQLITE_FILE_NAME)
  const cipherKey = parseCipherKey(env['EVENTSCOPE_CIPHER_KEY'])
  const snapshotPeriod = parseSnapshotPeriod(env['EVENTSCOPE_SNAPSHOT_PERIOD'])
  const kind = (env['EVENTSCOPE_STORE'] ?? '').trim().toLowerCase() || 'sqlite'
  let candidate: unknown
  switch (kind) {
    case 'memory':
      candidate = { kind }
      break
    case 'sqlite': {
      const path = env['EVENTSCOPE_SQLITE_PATH']?.trim()
      candidate = { kind, path: path || defaultSqlitePath }
      break
    }
    case 'cassandra': {
      const c = cassandraSettingsFromEnv(env)
      candidate = {
        kind,
        contactPoints: c.contactPoints,
        localDataCenter: c.localDataCenter,
        keyspace: c.keyspace,
        ...(c.username ? { username: c.username } : {}),
        ...(c.password ? { password: c.password } : {}),
        tls: c.tls ?? false,
      }
      break
    }
    default:
      throw new ConfigurationError(
        `EVENTSCOPE_STORE must be sqlite, cassandra or memory, not '${kind.slice(0, 40)}'`,
      )
  }
  const parsed = ConnectionSettings.safeParse({
    ...(candidate as object),
    ...connectionOptionsFromEnv(env),
  })
  if (!parsed.success) {
    // Paths and messages only: a value might be a password.
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`)
      .join('; ')
    throw new ConfigurationError(`invalid ${kind} settings in the environment: ${problems}`)
  }
  return { connection: parsed.data, cipherKey, snapshotPeriod, defaultSqlitePath }
}

/**
 * EVENTSCOPE_READ_ONLY (1/true/yes/on or 0/false/no/off), EVENTSCOPE_LABEL (e.g. PRODUCTION) and
 * EVENTSCOPE_LABEL_COLOUR (one of the contract's LabelColour names; grey by default).
 */
export function connectionOptionsFromEnv(
  env: Env,
): Pick<ConnectionSettings, 'readOnly' | 'label' | 'labelColour'> {
  const readOnly = parseFlag('EVENTSCOPE_READ_ONLY', env['EVENTSCOPE_READ_ONLY'])
  const label = env['EVENTSCOPE_LABEL']?.trim()
  const colourText = env['EVENTSCOPE_LABEL_COLOUR']?.trim().toLowerCase()
  let labelColour: LabelColour | undefined
  if (colourText) {
    const parsed = LabelColour.safeParse(colourText)
    if (!parsed.success) {
      throw new ConfigurationError(
        `EVENTSCOPE_LABEL_COLOUR must be one of ${LabelColour.options.join(', ')}, not '${colourText.slice(0, 20)}'`,
      )
    }
    labelColour = parsed.data
  }
  return {
    ...(readOnly ? { readOnly } : {}),
    ...(label ? { label } : {}),
    ...(labelColour ? { labelColour } : {}),
  }
}

/**
 * Whether EVENTSCOPE_READ_ONLY locks this run read-only: every connection, whatever the
 * connection screen asks. A value that is not a flag locks too (never writable by mistake).
 */
export function readOnlyLockFromEnv(env: Env): boolean {
  try {
    return parseFlag('EVENTSCOPE_READ_ONLY', env['EVENTSCOPE_READ_ONLY'])
  } catch {
    return true
  }
}

function parseFlag(name: string, text: string | undefined): boolean {
  const value = text?.trim().toLowerCase()
  if (!value || ['0', 'false', 'no', 'off'].includes(value)) return false
  if (['1', 'true', 'yes', 'on'].includes(value)) return true
  throw new ConfigurationError(
    `${name} must be 1 or 0 (true/false, yes/no), not '${value.slice(0, 20)}'`,
  )
}

/** EVENTSCOPE_CIPHER_KEY: base64 of 16, 24 or 32 bytes; empty or absent: no encryption. */
export function parseCipherKey(text: string | undefined): Uint8Array | undefined {
  const trimmed = text?.trim()
  if (!trimmed) return undefined
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || trimmed.length % 4 !== 0) {
    throw new ConfigurationError(
      'EVENTSCOPE_CIPHER_KEY is not valid base64 (expected base64 of 16, 24 or 32 bytes)',
    )
  }
  const key = Buffer.from(trimmed, 'base64')
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new ConfigurationError(
      `EVENTSCOPE_CIPHER_KEY decodes to ${key.length} bytes; an AES key must be 16, 24 or 32 bytes (e.g. \`openssl rand -base64 32\`)`,
    )
  }
  return new Uint8Array(key)
}

/** EVENTSCOPE_SNAPSHOT_PERIOD: an integer ≥ 0 (0: no snapshots); default 2, as in the seed. */
export function parseSnapshotPeriod(text: string | undefined): number {
  const trimmed = text?.trim()
  if (!trimmed) return DEFAULT_SNAPSHOT_PERIOD
  if (!/^\d{1,9}$/.test(trimmed)) {
    throw new ConfigurationError(
      `EVENTSCOPE_SNAPSHOT_PERIOD must be a whole number ≥ 0, not '${trimmed.slice(0, 20)}'`,
    )
  }
  return Number(trimmed)
}

/** Where the cipher key in use comes from (ConnectionInfo.keySource). */
export type KeySource = 'environment' | 'saved' | 'entered' | 'none'

/** What the UI says about encryption: the cipher, or why there is none. Never the key. */
export function describeEncryption(
  cipherKey: Uint8Array | undefined,
  source: KeySource = 'environment',
): string {
  if (!cipherKey) {
    return 'Not encrypted: no cipher key is set (EVENTSCOPE_CIPHER_KEY, or one entered here), so events are written in plain (compressed) form and encrypted records cannot be read.'
  }
  const cipher = `AES-${cipherKey.length * 8}-GCM`
  const scope = 'event and snapshot states are encrypted; ids, versions and topics stay readable.'
  switch (source) {
    case 'saved':
      return `${cipher} with the key saved on this computer: ${scope} On connect the key is compared with the store's key check.`
    case 'entered':
      return `${cipher} with the key you entered: ${scope} On connect the key is compared with the store's key check; a wrong key makes the connection read-only.`
    default:
      return `${cipher} with the key from EVENTSCOPE_CIPHER_KEY: ${scope}`
  }
}
