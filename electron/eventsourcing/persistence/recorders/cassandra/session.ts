import type cassandra from 'cassandra-driver'
import { StoreUnavailable } from '../../../errors'
import { errors, FETCH_SIZE, QUORUM, types, type Client, type Row } from './driver'

const UNAVAILABLE_CODES = new Set<number>([
  types.responseErrorCodes.unavailableException,
  types.responseErrorCodes.overloaded,
  types.responseErrorCodes.isBootstrapping,
  types.responseErrorCodes.writeTimeout,
  types.responseErrorCodes.readTimeout,
  types.responseErrorCodes.readFailure,
  types.responseErrorCodes.writeFailure,
  types.responseErrorCodes.serverError,
  /** CAS_WRITE_UNKNOWN (protocol v5): a Paxos round whose outcome the coordinator does not know. */
  0x1700,
])

/** Socket errors from Node itself, should one reach a caller unwrapped. */
const SOCKET_ERROR_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
])

/**
 * Whether an error means the request did not complete (its outcome is unknown): timeouts, no host,
 * a busy pool, a socket closed under the request (`DriverError('Socket was closed')`, as when its
 * coordinator dies), an internal driver error, or a server-side failure. Not: a response that
 * completed the request with an error (syntax, invalid, unauthorised…), a bad argument, failed
 * authentication, or anything that is not the driver's.
 */
export function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.ResponseError) return UNAVAILABLE_CODES.has(error.code)
  if (
    error instanceof errors.ArgumentError ||
    error instanceof errors.AuthenticationError ||
    error instanceof errors.NotSupportedError ||
    error instanceof errors.VIntOutOfRangeException
  )
    return false
  if (error instanceof errors.DriverError) return true
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && SOCKET_ERROR_CODES.has(code)
}

/** The client, the keyspace and the error mapping shared by the recorders of one store. */
export class CassandraSession {
  private readonly queries = new Map<string, string>()

  constructor(
    readonly client: Client,
    readonly keyspace: string,
    readonly where: string,
  ) {}

  /** CQL text per query shape, built once; the driver prepares each distinct text once. */
  cql(shape: string, build: (ks: string) => string): string {
    let text = this.queries.get(shape)
    if (text === undefined) {
      text = build(this.keyspace)
      this.queries.set(shape, text)
    }
    return text
  }

  unavailable(error: unknown): StoreUnavailable {
    return new StoreUnavailable(
      `Cassandra at ${this.where} is unavailable: ${(error as Error).message}`,
      { cause: error },
    )
  }

  /** Maps connection failures and timeouts to StoreUnavailable; other errors pass through. */
  wrap(error: unknown): unknown {
    return isUnavailable(error) ? this.unavailable(error) : error
  }

  async execute(
    query: string,
    params: unknown[],
    options: cassandra.QueryOptions = {},
  ): Promise<cassandra.types.ResultSet> {
    try {
      return await this.client.execute(query, params, {
        prepare: true,
        consistency: QUORUM,
        ...options,
      })
    } catch (error) {
      throw this.wrap(error)
    }
  }

  async batch(
    queries: { query: string; params: unknown[] }[],
    options: cassandra.QueryOptions = {},
  ): Promise<cassandra.types.ResultSet> {
    try {
      return await this.client.batch(queries, { prepare: true, consistency: QUORUM, ...options })
    } catch (error) {
      throw this.wrap(error)
    }
  }

  /** Pages of rows, fetched as they are consumed (the driver's paging state). */
  async *pages(query: string, params: unknown[], fetchSize = FETCH_SIZE): AsyncGenerator<Row[]> {
    let pageState: string | undefined
    do {
      const rs = await this.execute(
        query,
        params,
        pageState === undefined ? { fetchSize } : { fetchSize, pageState },
      )
      yield rs.rows
      pageState = rs.pageState ?? undefined
    } while (pageState)
  }
}
