/**
 * The parts of the contract that are plain values, without zod: the method and event names, the
 * seeding limits and the error class. The renderer's first paint imports these (and types) only,
 * so zod and the schemas load in their own chunk, in parallel (shared/validation.ts).
 * contract.ts re-exports all of it and checks at compile time that the names match `methods`.
 */
import type { ApiError, ErrorCode } from './schemas'

export const METHOD_NAMES = [
  'getConnection',
  'connect',
  'disconnect',
  'setCipherKey',
  'forgetCipherKey',
  'listAggregateTypes',
  'listAggregates',
  'countAggregates',
  'getAggregate',
  'getStateChildren',
  'listEvents',
  'getRawRecord',
  'getEventDiff',
  'diffVersions',
  'listSnapshots',
  'listSnapshotSummaries',
  'listSnapshotVersions',
  'compareSnapshot',
  'getActivity',
  'exportHistory',
  'execute',
  'preview',
  'loadAggregateModule',
  'seedDemoData',
  'verifyHistory',
  'verifyStore',
  'cancelTask',
] as const

export const EVENT_NAMES = ['changes', 'progress', 'connection'] as const

/** seedDemoData: aggregates, and events per aggregate, each at most this. */
export const MAX_SEED_COUNT = 100_000
/** seedDemoData: aggregates × events at most this (about a minute on SQLite). */
export const MAX_SEED_EVENTS = 1_000_000
/**
 * The same in digits grouped by commas. Not toLocaleString: its first call loads the engine's
 * number formatting (ICU), 8–27 ms measured in Node, and the contract is read when a page
 * loads, before its first row.
 */
export const MAX_SEED_EVENTS_TEXT = String(MAX_SEED_EVENTS).replace(/\B(?=(\d{3})+$)/g, ',')

/**
 * An aggregate id in Eventscope's own stores, and in commands: a lower-case UUID (shared/schemas.ts
 * `uuid`). Read methods take any `aggregateId`; the service holds our stores to this.
 */
export const LOWERCASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * The longest aggregate id a read method takes or answers with (UTF-16 code units): room for the
 * text ids a Python store may hold (PostgreSQL's index refuses keys of more than about 2,700
 * bytes), short of what a request could carry.
 */
export const MAX_AGGREGATE_ID_LENGTH = 4096

/**
 * A request's size limit in bytes (browser mode's WebSocket messages; the page refuses a larger
 * one before sending it, with the same words as the server).
 */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** The refusal of a request over MAX_REQUEST_BYTES. */
export const requestTooLarge = (bytes: number): string =>
  `the request is too large (${bytes} bytes; the limit is ${MAX_REQUEST_BYTES}): stage or send less at a time`

/** An error the renderer receives: carries the typed ApiError. */
export class ExplorerError extends Error {
  constructor(readonly error: ApiError) {
    super(error.message)
    this.name = error.code
  }
  get code(): ErrorCode {
    return this.error.code
  }
}
