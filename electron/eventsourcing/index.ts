/*
 * The library's only entry point for its consumers (eslint forbids deep imports from outside).
 * Importing it must not load cassandra-driver: from recorders/cassandra only types are
 * re-exported, and openStore imports the Cassandra store on first use (index.test.ts checks).
 */
export * from './errors'
export * from './domain/aggregate'
export * from './domain/events'
export * from './domain/topics'
export * from './domain/uuid'
export {
  classTopicOf,
  type FunctionValue,
  type TextKind,
  UnregisteredValue,
  type ValueKind,
  type ValueVisitor,
  valueFromText,
  valueKind,
  valueText,
  visitValue,
} from './domain/valueTypes'
export * from './persistence/recorder'
export * from './persistence/cipher'
export * from './persistence/keyCheck'
export * from './persistence/mapper'
export * from './persistence/transcoder'
export * from './persistence/stores'
export { createMemoryStore } from './persistence/recorders/memory'
export {
  createSqliteStore,
  sqliteDriverOf,
  sqlitePragmasOf,
  type SqliteStoreOptions,
  type SqliteSynchronous,
} from './persistence/recorders/sqlite'
export { defaultSqliteDriver, type SqliteDriverName } from './persistence/recorders/sqliteDriver'
export type {
  CassandraApplicationRecorder,
  CassandraSettings,
} from './persistence/recorders/cassandra'
export * from './application/application'
export * from './application/applicationLog'
export * from './application/aggregateTypes'
export * from './application/parameters'
export * from './application/eventStore'
export * from './application/historyVerification'
export * from './application/repository'
export * from './application/snapshotStrategy'
export * from './application/policies'
export * from './application/verification'
