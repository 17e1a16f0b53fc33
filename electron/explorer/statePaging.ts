/**
 * getAggregate's state sent in pages (issue 10; shared/statePages.ts): the handlers (queries.ts,
 * snapshotOnly.ts, python/handlers.ts) answer with the whole state, and these cut it, or send
 * the further children of one container. A page is answered as getAggregate is, from the
 * nearest checkpoint or snapshot (timeTravel.ts), so it replays at most one period of events.
 */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import { childrenPage, pageState } from '../../shared/statePages'
import { ApiFailure } from './dispatch'

type WholeAggregate = (
  request: ParsedRequestOf<'getAggregate'>,
) => Promise<ResponseOf<'getAggregate'>>

export function statePaging(whole: WholeAggregate) {
  return {
    getAggregate: async (
      request: ParsedRequestOf<'getAggregate'>,
    ): Promise<ResponseOf<'getAggregate'>> => {
      const view = await whole(request)
      const { state, omitted } = pageState(view.state)
      return { ...view, state, stateOmitted: omitted }
    },
    getStateChildren: async (
      request: ParsedRequestOf<'getStateChildren'>,
    ): Promise<ResponseOf<'getStateChildren'>> => {
      const { id, at, path, offset, limit, taskId } = request
      const view = await whole({ id, at, ...(taskId === undefined ? {} : { taskId }) })
      const page = childrenPage(view.state, path, offset, limit)
      if (!page)
        throw new ApiFailure({
          code: 'ValidationError',
          message: `the state of ${id} at version ${view.version} has no object or array at ${JSON.stringify(path).slice(0, 200)}`,
        })
      return page
    },
  }
}
