import { ConfigurationError } from '../errors'
import type { Store } from './recorder'
import { createMemoryStore } from './recorders/memory'
import { createSqliteStore, type SqliteSynchronous } from './recorders/sqlite'
import type { CassandraSettings } from './recorders/cassandra'
import type { SqliteDriverName } from './recorders/sqliteDriver'

export type StoreSettings =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'sqlite'
      readonly path: string
      /** Default: the driver this runtime can load (defaultSqliteDriver). */
      readonly driver?: SqliteDriverName
      /** Default FULL: an acknowledged save survives power loss (see SqliteSynchronous). */
      readonly synchronous?: SqliteSynchronous
      /** Never write to the file (SqliteStoreOptions.readOnly). */
      readonly readOnly?: boolean
    }
  | ({ readonly kind: 'cassandra' } & CassandraSettings)

/**
 * Opens the store the settings name. Cassandra's driver is loaded only when it is used: this
 * module, and so the library's index, imports nothing from recorders/cassandra but types.
 */
export async function openStore(settings: StoreSettings): Promise<Store> {
  switch (settings.kind) {
    case 'memory':
      return createMemoryStore()
    case 'sqlite':
      return createSqliteStore(settings.path, {
        driver: settings.driver,
        synchronous: settings.synchronous,
        readOnly: settings.readOnly,
      })
    case 'cassandra': {
      const { createCassandraStore } = await import('./recorders/cassandra')
      return createCassandraStore(settings)
    }
    default: {
      const unknown: never = settings
      throw new ConfigurationError(
        `unknown store kind ${String((unknown as { kind: unknown }).kind)}`,
      )
    }
  }
}
