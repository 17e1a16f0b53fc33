/**
 * The service's read methods, and which handler answers each: queries.ts and its neighbours
 * (diffs.ts, snapshotList.ts, activity.ts) on the connection the request holds, or, on a Python
 * eventsourcing store, python/handlers.ts. ExplorerService (service.ts) extends this and says
 * what the handlers run on.
 */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import { getActivity } from './activity'
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
      return handler(this.queryContext, request)
    }
  }
}
