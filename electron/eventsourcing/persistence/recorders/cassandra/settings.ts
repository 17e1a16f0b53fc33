import { ConfigurationError } from '../../../errors'

/** Valid unquoted CQL keyspace names (Cassandra allows at most 48 characters). */
const KEYSPACE_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,47}$/

export interface CassandraSettings {
  contactPoints: string[]
  localDataCenter: string
  keyspace: string
  username?: string
  password?: string
  tls?: boolean
  /** Replication factor of the keyspace when this store creates it (SimpleStrategy). Default 1. */
  replicationFactor?: number
  /** How long to wait for a TCP connection to a node. Default 5000 ms. */
  connectTimeoutMs?: number
  /** How long to wait for a node to answer a request. Default 12000 ms. */
  requestTimeoutMs?: number
  /**
   * How old an unconfirmed intent must be before readers treat it as abandoned (its writer
   * crashed). Must exceed twice the request timeout. Default 60000 ms.
   */
  intentTimeoutMs?: number
  /**
   * How far any writer's or reader's clock may be from true time. Log positions come from the
   * writers' clocks: followers re-read `2 × maxClockSkewMs + intentTimeoutMs / 2` of the log, and
   * an intent counts as abandoned only when older than `intentTimeoutMs + 2 × maxClockSkewMs` by
   * the reader's clock. A writer whose clock is further from the coordinator's is refused
   * (ConfigurationError). Default 60000 ms.
   */
  maxClockSkewMs?: number
  /**
   * This process's wall clock, ms since the epoch (default Date.now): log positions, so their
   * hourly buckets, come from it. Tests set it to write into chosen hours (a clock off true time
   * also needs a `maxClockSkewMs` that lets it past the clock check).
   */
  clock?: () => number
}

/** Checks a keyspace name before it goes into CQL text; returns it lowercased (as CQL would). */
export function checkKeyspaceName(keyspace: string): string {
  if (!KEYSPACE_PATTERN.test(keyspace)) {
    throw new ConfigurationError(
      `invalid Cassandra keyspace name '${keyspace}': use a letter then up to 47 letters, digits or underscores`,
    )
  }
  return keyspace.toLowerCase()
}

export function describeSettings(settings: CassandraSettings): string {
  return `${settings.contactPoints.join(', ')} (data centre ${settings.localDataCenter})`
}
