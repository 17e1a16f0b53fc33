/*
 * Apache Cassandra store: records (events, snapshots) as conditional single-partition batches, and
 * an application log and aggregate index written beside them (the intent with the batch, the
 * confirmation after it), which readers repair.
 * The protocol (intents, confirmation, counting, listing, the log's clock limits, errors) is
 * described in docs/cassandra-log.md.
 */
export { CassandraApplicationRecorder } from './applicationRecorder'
export { cassandraClientOptions } from './client'
export { shardOf } from './indexRows'
export { WriterHalted, type SaveFault, type SaveStep } from './logWriter'
export type { Intent } from './logRows'
export { CassandraAggregateRecorder } from './records'
export { schemaAgreed, type SchemaVersions } from './schema'
export { CassandraSession, isUnavailable } from './session'
export { checkKeyspaceName, type CassandraSettings } from './settings'
export { createCassandraStore } from './store'
