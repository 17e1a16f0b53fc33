/**
 * getStateChildren (issue 10; shared/statePages.ts): getAggregate sends each container's first
 * children (dto.ts cutDisplay); this sends the further children of one container. It is
 * answered as getAggregate is, from the nearest checkpoint or snapshot (timeTravel.ts), so a
 * page replays at most one period of events, and only the page's children are converted
 * (displayJson.ts displayChildren). A Python store's state is converted whole, then paged.
 */
import type { ParsedRequestOf, ResponseOf, StatePath } from '../../shared/contract'
import { childrenPage, pageOf, STATE_BUDGET, STATE_PAGE } from '../../shared/statePages'
import { ApiFailure } from './dispatch'
import { displayChildren } from './displayJson'
import type { StateDisplay } from './dto'

type Request = ParsedRequestOf<'getStateChildren'>
type Page = ResponseOf<'getStateChildren'>
type View = ResponseOf<'getAggregate'>

export function notAContainer(id: string, version: number, path: StatePath): ApiFailure {
  return new ApiFailure({
    code: 'ValidationError',
    message: `the state of ${id} at version ${version} has no object or array at ${JSON.stringify(path).slice(0, 200)}`,
  })
}

/** The request's version of the aggregate, as getAggregate loads it, shown by `display`. */
type Load = (display: StateDisplay) => Promise<View>

export async function stateChildren(request: Request, load: Load): Promise<Page> {
  let page: Page | undefined
  const view = await load((state) => {
    page = statePage(state, request)
    // The answer carries the page; the view's state is not sent.
    return { state: null, stateOmitted: [], stateShortened: [] }
  })
  if (!page) throw notAContainer(request.id, view.version, request.path)
  return page
}

/** The requested page of the container at `path` in a library state; none if it has none. */
export function statePage(
  state: unknown,
  { path, offset, limit }: Pick<Request, 'path' | 'offset' | 'limit'>,
): Page | undefined {
  const found =
    state === null || state === undefined
      ? undefined
      : displayChildren(state, path, offset, limit, STATE_PAGE)
  if (!found) return undefined
  const known = new Map(found.cut.map((c) => [JSON.stringify(c.path), c.total]))
  return pageOf(path, found.total, offset, found.children, STATE_PAGE, STATE_BUDGET, known)
}

/** A page of a state already shown whole (a Python store's). */
export async function wholeStateChildren(
  request: Request,
  load: (r: ParsedRequestOf<'getAggregate'>) => Promise<View>,
): Promise<Page> {
  const { id, at, path, offset, limit, taskId } = request
  const view = await load({ id, at, ...(taskId === undefined ? {} : { taskId }) })
  const page = childrenPage(view.state, path, offset, limit)
  if (!page) throw notAContainer(id, view.version, path)
  return page
}
