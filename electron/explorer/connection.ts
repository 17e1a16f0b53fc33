/**
 * One open connection: the application over a store, with what the service keeps beside it
 * (the log follower, availability, a session id), and how a connection and a failure to connect are described to the UI.
 */
import { randomUUID } from 'node:crypto'
import type { ConnectionInfo, ConnectionSettings } from '../../shared/contract'
import { type LogEntry, openStore, type Store } from '../eventsourcing'
import { toStoreSettings } from './storeEnv'
import { EverythingApplication } from '../example/everythingApplication'
import { AvailabilityTracker, trackAvailability } from './availability'
import { LogFollower } from './logFollower'
import { SnapshotFailures } from './snapshotFailures'
import { yieldingStore } from './yieldingStore'
import { isPythonSettings, openPythonSession, type PythonSession } from './python/session'

export interface Connection {
  readonly app: EverythingApplication
  readonly settings: ConnectionSettings
  readonly follower: LogFollower
  /** New for every open: the UI drops what it read under another key or connection. */
  readonly sessionId: string
  /** Whether the store answers: outages and recoveries, for the status pill. */
  readonly availability: AvailabilityTracker
  /** Each aggregate's latest failure to take a snapshot (the library's snapshot hooks). */
  readonly snapshotFailures: SnapshotFailures
  /**
   * A Python eventsourcing store (python-sqlite, python-postgres): the explorer reads it itself
   * (python/handlers.ts); `app` is then an empty read-only in-memory one, for what every
   * connection has (key state, access).
   */
  readonly python?: PythonSession
}

/** What opening a connection needs of the service. */
export interface OpenOptions {
  readonly cipherKey: Uint8Array | undefined
  readonly snapshotPeriod: number
  /** EVENTSCOPE_READ_ONLY: opened read-only whatever the settings say. */
  readonly readOnlyLocked: boolean
  readonly defaultSqlitePath: string | undefined
  /** How often the log follower polls. */
  readonly pollIntervalMs: number
  /** The store of this connection went away or came back. */
  onAvailabilityChange(connection: Connection): void
  /** New entries in the application log. */
  onEntries(entries: LogEntry[]): void
  /** The log follower could not read the log. */
  onFollowerError(error: unknown): void
}

/**
 * Opens the store, an application over it (its key checked) and a log follower started at the
 * end of the log. When a step fails, what was opened is closed and the step's error thrown.
 */
export async function openConnection(
  settings: ConnectionSettings,
  options: OpenOptions,
): Promise<Connection> {
  let store: Store | undefined
  let app: EverythingApplication | undefined
  let next: Connection | undefined
  let python: PythonSession | undefined
  try {
    if (isPythonSettings(settings)) {
      python = await openPythonSession(settings, {
        cipherKey: options.cipherKey,
        pollIntervalMs: options.pollIntervalMs,
      })
    }
    store = await openStore(
      python
        ? { kind: 'memory' }
        : toStoreSettings(settings, {
            defaultSqlitePath: options.defaultSqlitePath,
            readOnly: settings.readOnly === true || options.readOnlyLocked,
          }),
    )
    const availability = new AvailabilityTracker(() => {
      if (next) options.onAvailabilityChange(next)
    })
    const snapshotFailures = new SnapshotFailures()
    app = new EverythingApplication({
      store: yieldingStore(trackAvailability(store, availability)),
      onSnapshotFailure: (error, failed) => snapshotFailures.failed(error, failed),
      onSnapshotsTaken: (taken) => snapshotFailures.taken(taken),
      cipherKey: options.cipherKey,
      snapshotPeriod: options.snapshotPeriod,
      // A Python store is never written.
      readOnly: settings.readOnly === true || options.readOnlyLocked || python !== undefined,
    })
    // Told now, not at the first failed read or save: a wrong key makes the connection read-only.
    await app.keyCheck.evaluate()
    const follower = new LogFollower({
      log: app.log,
      intervalMs: options.pollIntervalMs,
      onEntries: (entries) => options.onEntries(entries),
      onError: (error) => options.onFollowerError(error),
    })
    // Reading the end of the log also proves the store answers.
    await follower.start()
    await python?.follow(
      (entries) => options.onEntries(entries),
      (error) => options.onFollowerError(error),
    )
    next = {
      app,
      settings,
      follower,
      sessionId: randomUUID(),
      availability,
      snapshotFailures,
      ...(python ? { python } : {}),
    }
    return next
  } catch (error) {
    await python?.close().catch(() => undefined)
    if (app) await app.close().catch(() => undefined)
    else if (store) await store.close().catch(() => undefined)
    throw error
  }
}

/** What the connection info says of the connection itself: its status, settings, store. */
export function describeConnection(
  c: Connection | undefined,
  settings: ConnectionSettings | undefined,
  defaultSqlitePath: string | undefined,
): Pick<ConnectionInfo, 'status' | 'kind' | 'settings' | 'description'> {
  return {
    status: c ? 'connected' : 'disconnected',
    ...(settings ? { kind: settings.kind, settings: publicSettings(settings) } : {}),
    description: c
      ? describeStore(c.settings.kind, c.python?.reader.description ?? c.app.storeDescription)
      : settings
        ? `not connected (${describeTarget(settings, defaultSqlitePath)})`
        : 'not connected',
  }
}

function publicSettings(settings: ConnectionSettings): NonNullable<ConnectionInfo['settings']> {
  const options = {
    ...(settings.readOnly === undefined ? {} : { readOnly: settings.readOnly }),
    ...(settings.label === undefined ? {} : { label: settings.label }),
    ...(settings.labelColour === undefined ? {} : { labelColour: settings.labelColour }),
  }
  switch (settings.kind) {
    case 'memory':
      return { kind: 'memory', ...options }
    case 'sqlite':
      return settings.path === undefined
        ? { kind: 'sqlite', ...options }
        : { kind: 'sqlite', path: settings.path, ...options }
    case 'cassandra':
      return {
        ...options,
        kind: 'cassandra',
        contactPoints: [...settings.contactPoints],
        localDataCenter: settings.localDataCenter,
        keyspace: settings.keyspace,
        ...(settings.username === undefined ? {} : { username: settings.username }),
        tls: settings.tls,
      }
    case 'python-sqlite':
    case 'python-postgres': {
      // Everything but the password.
      const { pgPassword: _secret, ...shown } = settings as typeof settings & {
        pgPassword?: string
      }
      return { ...shown, ...options }
    }
  }
}

function describeStore(kind: ConnectionSettings['kind'], description: string): string {
  const label = {
    sqlite: 'SQLite',
    cassandra: 'Cassandra',
    memory: 'Memory',
    'python-sqlite': 'Python eventsourcing on SQLite',
    'python-postgres': 'Python eventsourcing on PostgreSQL',
  }[kind]
  return description.toLowerCase().startsWith(label.toLowerCase())
    ? description
    : `${label}: ${description}`
}

export function describeTarget(
  settings: ConnectionSettings,
  defaultSqlitePath: string | undefined,
): string {
  switch (settings.kind) {
    case 'memory':
      return 'the in-memory store'
    case 'sqlite':
      return `the SQLite file ${settings.path ?? defaultSqlitePath ?? '(none)'}`
    case 'cassandra':
      return `Cassandra at ${settings.contactPoints.join(', ')} (data centre ${settings.localDataCenter}, keyspace ${settings.keyspace})`
    case 'python-sqlite':
      return `the Python eventsourcing SQLite file ${settings.path}`
    case 'python-postgres':
      return `the Python eventsourcing tables on PostgreSQL at ${settings.pgHost}:${settings.pgPort}/${settings.pgDatabase}`
  }
}

/** One sentence: the target named once, the driver's reason without a stack trace. */
export function connectFailure(target: string, reason: string): string {
  const firstLines = reason
    // A stack trace and Node's inspected socket error ({ errno, code, … }) say nothing more.
    .replace(/\n\s+at [^\n]*?(?: \{\n[\s\S]*?\n\}|(?=\n)|$)/g, '')
    .replace(/\s*See innerErrors\.?/, '')
    .replace(/\s+/g, ' ')
    .trim()
  // The store's own message may already say "cannot connect to …" (its target): not twice.
  if (/^cannot connect to /i.test(firstLines))
    return firstLines.charAt(0).toUpperCase() + firstLines.slice(1)
  return `Cannot connect to ${target}: ${firstLines}`
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
