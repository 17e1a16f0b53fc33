/**
 * One open connection: the application over a store, with what the service keeps beside it
 * (the log follower, availability, a session id); the store settings a connection opens with,
 * and how a connection and a failure to connect are described to the UI.
 */
import type { ConnectionInfo, ConnectionSettings } from '../../shared/contract'
import { StoreUnavailable } from '../eventsourcing/errors'
import type { StoreSettings } from '../eventsourcing/persistence/stores'
import type { Repository } from '../eventsourcing/application/repository'
import type { SnapshotStrategy } from '../eventsourcing/application/snapshotStrategy'
import type { EverythingApplication } from '../example/everythingApplication'
import type { AvailabilityTracker } from './availability'
import type { LogFollower } from './logFollower'

export interface Connection {
  readonly app: EverythingApplication
  readonly settings: ConnectionSettings
  readonly follower: LogFollower
  /** Reads snapshots even when this application takes none (period 0). */
  readonly snapshots: SnapshotStrategy
  /** Replays without checking the hash chain, to still show an aggregate whose chain is broken. */
  readonly unverified: Repository
  /** New for every open: the UI drops what it read under another key or connection. */
  readonly sessionId: string
  /** Whether the store answers: outages and recoveries, for the status pill. */
  readonly availability: AvailabilityTracker
}

export function storeSettings(
  settings: ConnectionSettings,
  defaultSqlitePath: string | undefined,
): StoreSettings {
  switch (settings.kind) {
    case 'memory':
      return { kind: 'memory' }
    case 'sqlite': {
      const path = settings.path ?? defaultSqlitePath
      if (!path)
        throw new StoreUnavailable('no SQLite file was named and this app has no default one')
      return { kind: 'sqlite', path }
    }
    case 'cassandra':
      return {
        kind: 'cassandra',
        contactPoints: settings.contactPoints,
        localDataCenter: settings.localDataCenter,
        keyspace: settings.keyspace,
        ...(settings.username === undefined ? {} : { username: settings.username }),
        ...(settings.password === undefined ? {} : { password: settings.password }),
        tls: settings.tls,
      }
  }
}

export function publicSettings(
  settings: ConnectionSettings,
): NonNullable<ConnectionInfo['settings']> {
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
  }
}

export function describeStore(kind: ConnectionSettings['kind'], description: string): string {
  const label = kind === 'sqlite' ? 'SQLite' : kind === 'cassandra' ? 'Cassandra' : 'Memory'
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
