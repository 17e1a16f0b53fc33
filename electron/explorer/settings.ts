/**
 * The explorer's settings from the environment (README, "Settings"), read as shared/settings.ts
 * describes each variable. The cipher key is parsed here and handed to the service; it never
 * leaves the main process and never appears in a message.
 */
import { join } from 'node:path'
import { ConnectionSettings } from '../../shared/contract'
import {
  DEFAULT_SNAPSHOT_PERIOD,
  SETTINGS,
  settingsIn,
  type SettingGroup,
  type SettingName,
  type SettingsOf,
  type SettingSpec,
  type SettingValue,
} from '../../shared/settings'
import { ConfigurationError } from '../eventsourcing'

export { DEFAULT_SNAPSHOT_PERIOD }

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

export const SQLITE_FILE_NAME = 'eventscope.sqlite'

export type Env = Readonly<Record<string, string | undefined>>

/** One setting from its variable; throws ConfigurationError naming the variable. */
export function readSetting<N extends SettingName>(env: Env, name: N): SettingValue<N> {
  const spec: SettingSpec = SETTINGS[name]
  const parsed = spec.fromEnv.safeParse(env[spec.env])
  // The spec's own schema made the value: its type is the setting's.
  if (parsed.success) return parsed.data as SettingValue<N>
  throw new ConfigurationError(`${spec.env} ${parsed.error.issues[0]?.message ?? 'is invalid'}`)
}

/** Every setting of a group, each read as readSetting does. */
export function readSettings<G extends SettingGroup>(env: Env, group: G): SettingsOf<G> {
  const values: Record<string, unknown> = {}
  for (const name of settingsIn(group)) values[name] = readSetting(env, name)
  return values as SettingsOf<G>
}

/**
 * The settings of a group a connection carries (those with a contract type), as set: a setting
 * left undefined is left out.
 */
function connectionFields(group: SettingGroup, values: object): Record<string, unknown> {
  const fields: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(values)) {
    const spec: SettingSpec = SETTINGS[name as SettingName]
    if (spec.group === group && spec.value && value !== undefined) fields[name] = value
  }
  return fields
}

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
  const cipherKey = readSetting(env, 'cipherKey')
  const snapshotPeriod = readSetting(env, 'snapshotPeriod')
  const kind = readSetting(env, 'store')
  // Only the chosen store's variables are read: another store's are not this run's concern.
  const store =
    kind === 'memory'
      ? {}
      : kind === 'sqlite'
        ? { path: readSetting(env, 'path') ?? defaultSqlitePath }
        : kind === 'cassandra'
          ? connectionFields('cassandra', readSettings(env, 'cassandra'))
          : pythonStoreFromEnv(env, kind)
  const parsed = ConnectionSettings.safeParse({
    kind,
    ...store,
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
 * A Python eventsourcing store's fields: the SQLite file (EVENTSCOPE_SQLITE_PATH, required), or
 * EVENTSCOPE_POSTGRES_URL (its parts override EVENTSCOPE_POSTGRES_HOST and the others), and the
 * application's name or tables.
 */
function pythonStoreFromEnv(
  env: Env,
  kind: 'python-sqlite' | 'python-postgres',
): Record<string, unknown> {
  const python = connectionFields('python', readSettings(env, 'python'))
  if (kind === 'python-sqlite') {
    const path = readSetting(env, 'path')
    if (!path)
      throw new ConfigurationError(
        `${SETTINGS.path.env} must name the Python application's SQLite file (EVENTSCOPE_STORE=python-sqlite)`,
      )
    return { path, ...python }
  }
  const { postgresUrl, ...parts } = readSettings(env, 'postgres')
  return { ...connectionFields('postgres', { ...parts, ...postgresUrl }), ...python }
}

/**
 * EVENTSCOPE_READ_ONLY (1/true/yes/on or 0/false/no/off), EVENTSCOPE_LABEL (e.g. PRODUCTION) and
 * EVENTSCOPE_LABEL_COLOUR (one of the contract's LabelColour names; grey by default).
 */
export function connectionOptionsFromEnv(
  env: Env,
): Pick<ConnectionSettings, 'readOnly' | 'label' | 'labelColour'> {
  const readOnly = readSetting(env, 'readOnly')
  const label = readSetting(env, 'label')
  const labelColour = readSetting(env, 'labelColour')
  // Writable is the default: said only when read-only.
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
    return readSetting(env, 'readOnly')
  } catch {
    return true
  }
}

/** EVENTSCOPE_CIPHER_KEY: base64 of 16, 24 or 32 bytes; empty or absent: no encryption. */
export function parseCipherKey(text: string | undefined): Uint8Array | undefined {
  return readSetting({ [SETTINGS.cipherKey.env]: text }, 'cipherKey')
}

/** EVENTSCOPE_SNAPSHOT_PERIOD: an integer ≥ 0 (0: no snapshots); default 2, as in the seed. */
export function parseSnapshotPeriod(text: string | undefined): number {
  return readSetting({ [SETTINGS.snapshotPeriod.env]: text }, 'snapshotPeriod')
}

/** EVENTSCOPE_CHECKPOINT_MB: whole MiB ≥ 0 (0: no checkpoints); default 256. */
export function parseCheckpointMemory(text: string | undefined): number {
  return readSetting({ [SETTINGS.checkpointMemory.env]: text }, 'checkpointMemory')
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
