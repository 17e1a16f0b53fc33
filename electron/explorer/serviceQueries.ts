/**
 * The service's read methods, and which handler answers each: queries.ts and its neighbours
 * (diffs.ts, snapshotList.ts, activity.ts) on the connection the request holds, or, on a Python
 * eventsourcing store, python/handlers.ts. ExplorerService (service.ts) extends this and says
 * what the handlers run on.
 */
import { LOWERCASE_UUID, type ParsedRequestOf, type ResponseOf } from '../../shared/contract'
import { getActivity } from './activity'
import { ApiFailure } from './dispatch'
import { handle as pythonHandle, type PythonMethod } from './python/handlers'
import type { PythonSession } from './python/session'
import * as queries from './queries'

export abstract class ServiceQueries {
  /** What the query handlers use of the service. */
  protected abstract readonly queryContext: queries.QueryContext

  /** The Python store the request's connection reads, if it is one (then it answers). */
  protected abstract pythonSession(): PythonSession | undefined

  readonly listAggregates = this.query('listAggregates', queries.listAggregates)
  readonly countAggregates = this.query('countAggregates', queries.countAggregates)
  readonly getAggregate = this.query('getAggregate', queries.getAggregate)
  readonly getStateChildren = this.query('getStateChildren', queries.getStateChildren)
  readonly listEvents = this.query('listEvents', queries.listEvents)
  readonly getRawRecord = this.query('getRawRecord', queries.getRawRecord)
  readonly getEventDiff = this.query('getEventDiff', queries.getEventDiff)
  readonly diffVersions = this.query('diffVersions', queries.diffVersions)
  readonly listSnapshots = this.query('listSnapshots', queries.listSnapshots)
  readonly listSnapshotSummaries = this.query(
    'listSnapshotSummaries',
    queries.listSnapshotSummaries,
  )
  readonly listSnapshotVersions = this.query('listSnapshotVersions', queries.listSnapshotVersions)
  readonly compareSnapshot = this.query('compareSnapshot', queries.compareSnapshot)
  readonly getActivity = this.query('getActivity', getActivity)
  readonly exportHistory = this.query('exportHistory', queries.exportHistory)
  readonly verifyHistory = this.query('verifyHistory', queries.verifyHistory)
  readonly verifyStore = this.query('verifyStore', queries.verifyStore)

  /** A query handler; on a Python eventsourcing store, python/handlers.ts answers instead. */
  private query<M extends PythonMethod>(
    method: M,
    handler: (ctx: queries.QueryContext, request: ParsedRequestOf<M>) => Promise<ResponseOf<M>>,
  ): (request: ParsedRequestOf<M>) => Promise<ResponseOf<M>> {
    return (request) => {
      const python = this.pythonSession()
      if (python) return pythonHandle(python, method, request)
      return Promise.resolve(request).then((r) =>
        handler(this.queryContext, ownStoreIds(method, r)),
      )
    }
  }
}

/**
 * The contract's read methods take text ids, which a Python store may hold; Eventscope's own
 * stores identify aggregates by lower-case UUID, so any other id is refused for them, clearly,
 * before it reaches a store (where a Cassandra uuid column would fail on it less kindly).
 */
function ownStoreIds<R extends object>(method: string, request: R): R {
  const refuse = (message: string): never => {
    throw new ApiFailure({
      code: 'ValidationError',
      message: `invalid ${method} request: ${message}`,
    })
  }
  const id = 'id' in request ? request.id : undefined
  if (typeof id === 'string' && !LOWERCASE_UUID.test(id))
    refuse(`the id ${JSON.stringify(id.slice(0, 80))} is not a lowercase UUID, as this store's are`)
  const prefix = 'idPrefix' in request ? request.idPrefix : undefined
  if (typeof prefix === 'string' && !/^[0-9a-fA-F-]{0,36}$/.test(prefix))
    refuse('an id prefix in this store is hex digits and dashes (at most 36)')
  return request
}
