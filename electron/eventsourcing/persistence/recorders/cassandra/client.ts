import cassandra from 'cassandra-driver'
import { ConfigurationError } from '../../../errors'
import { auth, FETCH_SIZE, QUORUM } from './driver'
import type { CassandraSettings } from './settings'

/** The driver's native port for a contact point without one. */
const DEFAULT_PORT = 9042

/** The port a contact point names (`host:port`, `[ipv6]:port`), or undefined (`host`, `ipv6`). */
function portOf(contactPoint: string): number | undefined {
  let port: string | undefined
  if (contactPoint.startsWith('[')) {
    port = /^\[[^\]]+\]:(.*)$/.exec(contactPoint)?.[1]
  } else {
    const parts = contactPoint.split(':')
    if (parts.length === 2) port = parts[1]
  }
  if (port === undefined) return undefined
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN
  if (!(n >= 1 && n <= 65_535)) {
    throw new ConfigurationError(`invalid port in Cassandra contact point '${contactPoint}'`)
  }
  return n
}

/**
 * The driver options for these settings. The contact points go as given; their common port
 * (9042 when none is named) becomes `protocolOptions.port`, the port the driver gives every node
 * it discovers through `system.peers` — left at 9042 on a cluster on another port, the driver
 * marks the peers down or reaches another cluster's node. It cannot mix ports for discovered
 * peers, so contact points with different ports are a ConfigurationError.
 */
export function cassandraClientOptions(settings: CassandraSettings): cassandra.ClientOptions {
  if (!settings.contactPoints.length)
    throw new ConfigurationError('Cassandra needs at least one contact point')
  const ports = new Map<number, string[]>()
  for (const contactPoint of settings.contactPoints) {
    const port = portOf(contactPoint) ?? DEFAULT_PORT
    ports.set(port, [...(ports.get(port) ?? []), contactPoint])
  }
  if (ports.size > 1) {
    const which = [...ports].map(([port, points]) => `${port} (${points.join(', ')})`).join(', ')
    throw new ConfigurationError(
      `Cassandra contact points must all use the same native port, not ${which}: the driver ` +
        `reaches every node it discovers on one port (a contact point without a port means ${DEFAULT_PORT})`,
    )
  }
  const port = [...ports.keys()][0]!
  const options: cassandra.ClientOptions = {
    contactPoints: settings.contactPoints,
    localDataCenter: settings.localDataCenter,
    socketOptions: {
      connectTimeout: settings.connectTimeoutMs ?? 5000,
      readTimeout: settings.requestTimeoutMs ?? 12_000,
    },
    queryOptions: { consistency: QUORUM, prepare: true, fetchSize: FETCH_SIZE },
    // No wait by the driver after a schema change: it would compare down nodes too (for its full
    // wait, on every statement). The store waits for the nodes that are up (awaitSchemaAgreement).
    protocolOptions: { port, maxSchemaAgreementWaitSeconds: 0 },
    // Try a node that went down again every 0.5–2 s, however long it was down: the default
    // back-off doubles up to 10 minutes, so after a long outage the app stayed down for minutes
    // after the cluster answered again. Idle connections are probed every 5 s (default 30 s)
    // so a link that died silently is noticed as quickly.
    policies: {
      reconnection: new cassandra.policies.reconnection.ExponentialReconnectionPolicy(
        500,
        2000,
        false,
      ),
    },
    pooling: { heartBeatInterval: 5000 },
  }
  if (settings.username !== undefined) {
    options.authProvider = new auth.PlainTextAuthProvider(
      settings.username,
      settings.password ?? '',
    )
  }
  if (settings.tls) options.sslOptions = {}
  return options
}
