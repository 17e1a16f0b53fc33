/**
 * One open connection: the application over a store, with what the service keeps beside it
 * (the log follower, availability, a session id).
 */
import type { ConnectionSettings } from '../../shared/contract'
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
