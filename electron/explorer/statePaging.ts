/**
 * getStateChildren (issue 10; shared/statePages.ts): getAggregate sends each container's first
 * children (dto.ts cutDisplay); this sends the further children of one container. It is
 * answered as getAggregate is, from the nearest checkpoint or snapshot (timeTravel.ts), so a
 * page replays at most one period of events; the whole state is converted for it, once a page.
 */
import type { ParsedRequestOf, ResponseOf } from '../../shared/contract'
import { childrenPage } from '../../shared/statePages'
import { ApiFailure } from './dispatch'

/** getAggregate's handler, asked for the whole state. */
export type WholeAggregate = (
  request: ParsedRequestOf<'getAggregate'>,
) => Promise<ResponseOf<'getAggregate'>>

export async function stateChildren(
  whole: WholeAggregate,
  request: ParsedRequestOf<'getStateChildren'>,
): Promise<ResponseOf<'getStateChildren'>> {
  const { id, at, path, offset, limit, taskId } = request
  const view = await whole({ id, at, ...(taskId === undefined ? {} : { taskId }) })
  const page = childrenPage(view.state, path, offset, limit)
  if (!page)
    throw new ApiFailure({
      code: 'ValidationError',
      message: `the state of ${id} at version ${view.version} has no object or array at ${JSON.stringify(path).slice(0, 200)}`,
    })
  return page
}
