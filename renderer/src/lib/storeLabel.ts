import type { ConnectionInfo } from '../../../shared/contract'

export const KIND_NAMES = {
  sqlite: 'SQLite',
  memory: 'In-memory',
  cassandra: 'Cassandra',
  'python-sqlite': 'Python eventsourcing (SQLite)',
  'python-postgres': 'Python eventsourcing (PostgreSQL)',
} as const

/**
 * The status pill's text after the kind ("Cassandra", "SQLite"): what tells this store apart.
 * A Cassandra store leads with its keyspace so a narrow pill cuts the contact points, not it;
 * other stores show their description without the kind it starts with.
 */
export function storeDetail(info: Pick<ConnectionInfo, 'description' | 'settings'>): string {
  const settings = info.settings
  if (settings?.kind === 'cassandra')
    return `keyspace ${settings.keyspace} on ${settings.contactPoints.join(', ')}`
  return info.description.replace(
    /^((python eventsourcing on (sqlite|postgresql)|sqlite|cassandra|in-memory|memory)\b:?\s*)+/i,
    '',
  )
}
