/**
 * Every setting Eventscope reads from its environment, described once: its name, variable, how
 * the variable's text is read (a zod schema from the text to the value, its messages finishing
 * "<VARIABLE> …"), its default, what it means, and for what a connection carries the typed
 * value the contract accepts. Derived from here: the explorer's environment parser
 * (electron/explorer/settings.ts), the contract's ConnectionSettings (schemas.ts), the
 * explorer's conversion to the library's store options (toStoreSettings in
 * electron/explorer/storeEnv.ts) and the README's settings table (scripts/settingsDoc.ts).
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 * The readers and values are built on first use (`z.lazy`), for the reason schemas.ts gives.
 */
import { z } from 'zod'
import {
  base64Bytes,
  hostPort,
  KEY_BYTES,
  parsed,
  parsePostgresUrl,
  problem,
  raw,
  strictFlag,
  TABLE_NAME,
  trimmed,
  trimmedOr,
} from './settingReaders'

export { parsePostgresUrl, type PostgresTarget } from './settingReaders'

import type { SettingGroup, SettingSpec } from './settingSpec'

export type { SettingGroup, SettingSpec } from './settingSpec'

import {
  DEFAULT_CHECKPOINT_MEMORY_MB,
  DEFAULT_CONTACT_POINT,
  DEFAULT_SNAPSHOT_PERIOD,
  LabelColour,
  SQLITE_DRIVERS,
  StoreKind,
} from './settingValues'

export * from './settingValues'

// ---------------------------------------------------------------- the settings

export const SETTINGS = {
  store: {
    env: 'EVENTSCOPE_STORE',
    group: 'connection',
    doc: "`sqlite`, `cassandra` or `memory`; `python-sqlite` or `python-postgres`: a Python `eventsourcing` application's store, read-only",
    defaultDoc: '`sqlite`',
    fromEnv: parsed((text) => {
      const kind = text?.trim().toLowerCase() || 'sqlite'
      const known = StoreKind.safeParse(kind)
      return known.success
        ? known.data
        : problem(
            `must be sqlite, cassandra, memory, python-sqlite or python-postgres, not '${kind.slice(0, 40)}'`,
          )
    }),
  },
  path: {
    env: 'EVENTSCOPE_SQLITE_PATH',
    group: 'sqlite',
    doc: "the SQLite file (for `python-sqlite`: the file the application's `SQLITE_DBNAME` names)",
    defaultDoc:
      "`eventscope.sqlite` in the app's data folder (`EVENTSCOPE_DATA_DIR` in browser mode and `npm run seed`)",
    fromEnv: trimmed(),
    /** A file path; omitted: the app's default database file. */
    value: z.lazy(() => z.string().min(1).max(4096).optional()),
  },
  sqliteDriver: {
    env: 'EVENTSCOPE_SQLITE_DRIVER',
    group: 'sqlite',
    doc: 'the SQLite driver: `better-sqlite3` or `node:sqlite`; any other value: the default',
    defaultDoc: '`node:sqlite` inside Electron, `better-sqlite3` in Node',
    // Exactly one of the names, as before: anything else leaves the choice to the library.
    fromEnv: z.lazy(() =>
      raw.transform((text) => SQLITE_DRIVERS.find((driver) => driver === text)),
    ),
  },
  cipherKey: {
    env: 'EVENTSCOPE_CIPHER_KEY',
    group: 'run',
    doc: 'base64 of a 16, 24 or 32-byte AES key; without it nothing is encrypted and the UI says so',
    defaultDoc: 'none',
    // The messages never repeat the text: it is a secret.
    fromEnv: parsed((text) => {
      const key = text?.trim()
      if (!key) return undefined
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0)
        return problem('is not valid base64 (expected base64 of 16, 24 or 32 bytes)')
      const bytes = base64Bytes(key)
      if (!KEY_BYTES.includes(bytes))
        return problem(
          `decodes to ${bytes} bytes; an AES key must be 16, 24 or 32 bytes (e.g. \`openssl rand -base64 32\`)`,
        )
      return Uint8Array.from(atob(key), (c) => c.charCodeAt(0))
    }),
  },
  snapshotPeriod: {
    env: 'EVENTSCOPE_SNAPSHOT_PERIOD',
    group: 'run',
    doc: 'take a snapshot every N versions (0: never)',
    defaultDoc: `\`${DEFAULT_SNAPSHOT_PERIOD}\` (the seed's)`,
    fromEnv: parsed((text) => {
      const period = text?.trim()
      if (!period) return DEFAULT_SNAPSHOT_PERIOD
      return /^\d{1,9}$/.test(period)
        ? Number(period)
        : problem(`must be a whole number ≥ 0, not '${period.slice(0, 20)}'`)
    }),
  },
  checkpointMemory: {
    env: 'EVENTSCOPE_CHECKPOINT_MB',
    group: 'run',
    doc: 'MiB for checkpoints of replayed aggregates (a state every 100 versions, least recently viewed dropped first); `0`: none',
    defaultDoc: `\`${DEFAULT_CHECKPOINT_MEMORY_MB}\``,
    fromEnv: parsed((text) => {
      const mb = text?.trim()
      if (!mb) return DEFAULT_CHECKPOINT_MEMORY_MB
      return /^\d{1,6}$/.test(mb)
        ? Number(mb)
        : problem(`must be a whole number of MiB ≥ 0, not '${mb.slice(0, 20)}'`)
    }),
  },
  contactPoints: {
    env: 'CASSANDRA_CONTACT_POINTS',
    group: 'cassandra',
    doc: 'comma-separated `host[:port]`',
    defaultDoc: `\`${DEFAULT_CONTACT_POINT}\``,
    fromEnv: z.lazy(() =>
      raw.transform((text) => {
        const points = (text ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0)
        return points.length ? points : [DEFAULT_CONTACT_POINT]
      }),
    ),
    value: z.lazy(() => z.array(hostPort).min(1).max(32)),
  },
  localDataCenter: {
    env: 'CASSANDRA_LOCAL_DC',
    group: 'cassandra',
    doc: "the driver's local data centre",
    defaultDoc: '`datacenter1`',
    fromEnv: trimmedOr('datacenter1'),
    value: z.lazy(() => z.string().min(1).max(128)),
  },
  keyspace: {
    env: 'CASSANDRA_KEYSPACE',
    group: 'cassandra',
    doc: 'keyspace (created on first use)',
    defaultDoc: '`eventscope`',
    fromEnv: trimmedOr('eventscope'),
    value: z.lazy(() =>
      z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,47}$/, 'a keyspace is letters, digits and _'),
    ),
  },
  username: {
    env: 'CASSANDRA_USERNAME',
    group: 'cassandra',
    doc: 'user name, if the cluster wants credentials',
    defaultDoc: 'none',
    // Taken as set (not trimmed), as before; empty: none.
    fromEnv: z.lazy(() => raw.transform((text) => text || undefined)),
    value: z.lazy(() => z.string().max(256).optional()),
  },
  password: {
    env: 'CASSANDRA_PASSWORD',
    group: 'cassandra',
    doc: 'password, if the cluster wants credentials',
    defaultDoc: 'none',
    fromEnv: z.lazy(() => raw.transform((text) => text || undefined)),
    value: z.lazy(() => z.string().max(1024).optional()),
  },
  tls: {
    env: 'CASSANDRA_TLS',
    group: 'cassandra',
    doc: '`1` or `true`: connect with TLS',
    defaultDoc: 'no TLS',
    // Only 1 and true turn it on, as before (any other value: off, not an error).
    fromEnv: z.lazy(() =>
      raw.transform((text) => ['1', 'true'].includes(text?.trim().toLowerCase() ?? '')),
    ),
    value: z.lazy(() => z.boolean().default(false)),
  },
  replicationFactor: {
    env: 'CASSANDRA_REPLICATION_FACTOR',
    group: 'cassandra',
    doc: 'replication factor of the keyspace when Eventscope creates it (SimpleStrategy)',
    defaultDoc: '`1`',
    fromEnv: parsed((text) => {
      const rf = text?.trim()
      if (!rf) return undefined
      const n = Number(rf)
      return Number.isInteger(n) && n >= 1 ? n : problem(`must be a positive integer, not '${rf}'`)
    }),
  },
  pythonApplication: {
    env: 'EVENTSCOPE_PYTHON_APPLICATION',
    group: 'python',
    doc: "the Python application's name (its class name or `name`): on PostgreSQL its tables are `<name>_events` and `<name>_snapshots`, lower case, as the library names them",
    defaultDoc: 'none: `stored_events` and `stored_snapshots` (always so on SQLite)',
    fromEnv: trimmed(),
    value: z.lazy(() =>
      z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]{0,50}$/, 'an application name is letters, digits and _')
        .optional(),
    ),
  },
  pythonEventsTable: {
    env: 'EVENTSCOPE_PYTHON_EVENTS_TABLE',
    group: 'python',
    doc: "the Python application's events table, when not the one its name gives",
    defaultDoc: 'from the application name',
    fromEnv: trimmed(),
    value: z.lazy(() =>
      z.string().regex(TABLE_NAME, 'a table name is letters, digits and _').optional(),
    ),
  },
  pythonSnapshotsTable: {
    env: 'EVENTSCOPE_PYTHON_SNAPSHOTS_TABLE',
    group: 'python',
    doc: "the Python application's snapshots table, when not the one its name gives",
    defaultDoc: 'from the application name',
    fromEnv: trimmed(),
    value: z.lazy(() =>
      z.string().regex(TABLE_NAME, 'a table name is letters, digits and _').optional(),
    ),
  },
  postgresUrl: {
    env: 'EVENTSCOPE_POSTGRES_URL',
    group: 'postgres',
    doc: 'for `python-postgres`: a `postgres://user:password@host:port/database` URL (`?sslmode=require`: TLS)',
    defaultDoc: '`postgres://127.0.0.1:5432/postgres`',
    fromEnv: parsed((text) => {
      const url = text?.trim()
      if (!url) return undefined
      return parsePostgresUrl(url) ?? problem('must be a postgres:// URL')
    }),
  },
  pgHost: {
    env: 'EVENTSCOPE_POSTGRES_HOST',
    group: 'postgres',
    doc: 'PostgreSQL host, when no URL is set',
    defaultDoc: '`127.0.0.1`',
    fromEnv: trimmedOr('127.0.0.1'),
    value: z.lazy(() =>
      z
        .string()
        .min(1)
        .max(255)
        .regex(/^[A-Za-z0-9.\-:[\]]+$/, 'expected a host name or address'),
    ),
  },
  pgPort: {
    env: 'EVENTSCOPE_POSTGRES_PORT',
    group: 'postgres',
    doc: 'PostgreSQL port, when no URL is set',
    defaultDoc: '`5432`',
    fromEnv: parsed((text) => {
      const port = text?.trim()
      if (!port) return 5432
      return /^\d{1,5}$/.test(port) && Number(port) > 0 && Number(port) <= 65_535
        ? Number(port)
        : problem(`must be a port number, not '${port.slice(0, 20)}'`)
    }),
    value: z.lazy(() => z.number().int().min(1).max(65_535)),
  },
  pgDatabase: {
    env: 'EVENTSCOPE_POSTGRES_DATABASE',
    group: 'postgres',
    doc: "PostgreSQL database (the application's `POSTGRES_DBNAME`), when no URL is set",
    defaultDoc: '`postgres`',
    fromEnv: trimmedOr('postgres'),
    value: z.lazy(() => z.string().min(1).max(63)),
  },
  pgUser: {
    env: 'EVENTSCOPE_POSTGRES_USER',
    group: 'postgres',
    doc: 'PostgreSQL user, when no URL is set',
    defaultDoc: 'none',
    fromEnv: z.lazy(() => raw.transform((text) => text || undefined)),
    value: z.lazy(() => z.string().max(256).optional()),
  },
  pgPassword: {
    env: 'EVENTSCOPE_POSTGRES_PASSWORD',
    group: 'postgres',
    doc: 'PostgreSQL password, when no URL is set',
    defaultDoc: 'none',
    fromEnv: z.lazy(() => raw.transform((text) => text || undefined)),
    value: z.lazy(() => z.string().max(1024).optional()),
  },
  pgSchema: {
    env: 'EVENTSCOPE_POSTGRES_SCHEMA',
    group: 'postgres',
    doc: "the schema of the Python application's tables (its `POSTGRES_SCHEMA`)",
    defaultDoc: '`public`',
    fromEnv: trimmed(),
    value: z.lazy(() =>
      z.string().regex(TABLE_NAME, 'a schema name is letters, digits and _').optional(),
    ),
  },
  pgTls: {
    env: 'EVENTSCOPE_POSTGRES_TLS',
    group: 'postgres',
    doc: '`1` or `true`: connect to PostgreSQL with TLS',
    defaultDoc: 'no TLS',
    fromEnv: z.lazy(() =>
      raw.transform((text) => ['1', 'true'].includes(text?.trim().toLowerCase() ?? '')),
    ),
    value: z.lazy(() => z.boolean().default(false)),
  },
  readOnly: {
    env: 'EVENTSCOPE_READ_ONLY',
    group: 'connection',
    doc: '`1` (or `true`/`yes`/`on`): open the connection read-only; every writing method is refused',
    defaultDoc: '`0`',
    fromEnv: strictFlag(),
    /** Refuse every writing method (the contract's `access: 'write'`) on this connection. */
    value: z.lazy(() => z.boolean().optional()),
  },
  label: {
    env: 'EVENTSCOPE_LABEL',
    group: 'connection',
    doc: 'a label shown in the header at all times, e.g. `PRODUCTION` (up to 40 visible characters)',
    defaultDoc: 'none',
    fromEnv: trimmed(),
    /** Shown in the header at all times, e.g. PRODUCTION. */
    value: z.lazy(() =>
      z
        .string()
        .trim()
        .min(1)
        .max(40)
        .regex(/^[^\p{Cc}\p{Cf}]*$/u, 'a label is visible characters only')
        .optional(),
    ),
  },
  labelColour: {
    env: 'EVENTSCOPE_LABEL_COLOUR',
    group: 'connection',
    doc: "the label's colour: `red`, `orange`, `green`, `blue`, `purple` or `grey` (all ≥ 4.5:1)",
    defaultDoc: '`grey`',
    fromEnv: parsed((text) => {
      const colour = text?.trim().toLowerCase()
      if (!colour) return undefined
      const known = LabelColour.safeParse(colour)
      return known.success
        ? known.data
        : problem(`must be one of ${LabelColour.options.join(', ')}, not '${colour.slice(0, 20)}'`)
    }),
    value: z.lazy(() => LabelColour.optional()),
  },
  allowedPaths: {
    env: 'EVENTSCOPE_ALLOWED_PATHS',
    group: 'run',
    doc: 'more folders (`:`-separated) whose SQLite files the connection screen may open, at any depth; links and `..` are resolved first',
    defaultDoc:
      'none: only the data folder and `EVENTSCOPE_SQLITE_PATH` (the desktop app also opens files picked with Browse…/New file…)',
    // Split by the platform's path separator where it is used (sqlitePathPolicy.ts).
    fromEnv: raw,
  },
  modules: {
    env: 'EVENTSCOPE_MODULES',
    group: 'run',
    doc: 'comma-separated compiled ES modules that register your own aggregate types (see "Loading your own aggregate types")',
    defaultDoc: 'none: the built-in example and account types',
    fromEnv: parsed((text) =>
      (text ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p.length > 0),
    ),
  },
  port: {
    env: 'PORT',
    group: 'browser',
    doc: "browser mode's port",
    defaultDoc: 'random free port',
    fromEnv: parsed((text) => {
      const port = text?.trim()
      if (!port) return 0
      return /^\d{1,5}$/.test(port) && Number(port) <= 65_535
        ? Number(port)
        : problem(`must be a number from 0 to 65535, not '${port.slice(0, 20)}'`)
    }),
  },
  dataDir: {
    env: 'EVENTSCOPE_DATA_DIR',
    group: 'browser',
    doc: 'the data folder of browser mode and `npm run seed` (created 0700)',
    defaultDoc: '`.eventscope/` in the working directory',
    fromEnv: trimmed(),
  },
  token: {
    env: 'EVENTSCOPE_TOKEN',
    group: 'browser',
    doc: "browser mode's token, fixed for automated tests",
    defaultDoc: 'random per run',
    fromEnv: z.lazy(() => raw.transform((text) => text || undefined)),
    internal: true,
  },
  userDataDir: {
    env: 'EVENTSCOPE_USER_DATA_DIR',
    group: 'desktop',
    doc: "the desktop app's profile folder, a throwaway one for automated tests",
    defaultDoc: "Electron's userData folder",
    fromEnv: trimmed(),
    internal: true,
  },
} as const satisfies Record<string, SettingSpec>

export type Settings = typeof SETTINGS
export type SettingName = keyof Settings
/** A setting's value as read from the environment. */
export type SettingValue<N extends SettingName> = z.output<Settings[N]['fromEnv']>
/** The settings of one group. */
export type SettingsOf<G extends SettingGroup> = {
  [N in SettingName as Settings[N]['group'] extends G ? N : never]: SettingValue<N>
}

export const settingNames = Object.keys(SETTINGS) as SettingName[]

/** The names of one group's settings, in the order above. */
export function settingsIn(group: SettingGroup): SettingName[] {
  return settingNames.filter((name) => SETTINGS[name].group === group)
}

// ---------------------------------------------------------------- the contract's shapes

/** The settings a connection carries, with their contract types: `kind` aside, by group. */
type ValueShape<G extends SettingGroup> = {
  [
    N in SettingName as Settings[N] extends { group: G; value: z.ZodType } ? N : never
  ]: Settings[N] extends {
    value: infer V
  }
    ? V
    : never
}

function valueShape<G extends SettingGroup>(group: G): ValueShape<G> {
  const shape: Record<string, z.ZodType> = {}
  for (const name of settingsIn(group)) {
    const spec: SettingSpec = SETTINGS[name]
    if (spec.value) shape[name] = spec.value
  }
  return shape as ValueShape<G>
}

/** What any connection may carry besides its store: read-only mode and an environment label. */
export const connectionOptions = valueShape('connection')

export const ConnectionSettings = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('memory'), ...connectionOptions }).strict(),
    z.object({ ...connectionOptions, kind: z.literal('sqlite'), ...valueShape('sqlite') }).strict(),
    z
      .object({ ...connectionOptions, kind: z.literal('cassandra'), ...valueShape('cassandra') })
      .strict(),
    z
      .object({
        ...connectionOptions,
        kind: z.literal('python-sqlite'),
        path: z.string().min(1).max(4096),
        ...valueShape('python'),
      })
      .strict(),
    z
      .object({
        ...connectionOptions,
        kind: z.literal('python-postgres'),
        ...valueShape('postgres'),
        ...valueShape('python'),
      })
      .strict(),
  ]),
)
export type ConnectionSettings = z.infer<typeof ConnectionSettings>
