/** The state tab's tree: the containers the answer cut are filled in as the tree shows more. */
import { memo } from 'react'
import type { AggregateView } from '../../../../shared/contract'
import { useStatePages } from '../../queries/stateChildren'
import { JsonTree } from '../../ui/JsonTree'

/** Memoised: a slider step leaves the shown view as it is until the answer comes (issue 10). */
export const PagedState = memo(function PagedState({ view }: { view: AggregateView }) {
  const paging = useStatePages(view)
  return <JsonTree value={paging.value} label="State" paging={paging} />
})
