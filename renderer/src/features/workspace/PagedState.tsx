/** The state tab's tree: the containers the answer cut are filled in as the tree shows more. */
import type { AggregateView } from '../../../../shared/contract'
import { useStatePages } from '../../queries/stateChildren'
import { JsonTree } from '../../ui/JsonTree'

export function PagedState({ view }: { view: AggregateView }) {
  const paging = useStatePages(view)
  return <JsonTree value={paging.value} label="State" paging={paging} />
}
