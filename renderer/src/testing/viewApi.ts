/**
 * What the AggregateView tests share: the selection reset onto one aggregate, and a fake API
 * that answers the view's first requests (the connection, one type, no snapshot markers, the
 * aggregate at any version up to `latest`).
 */
import type { RequestOf } from '../../../shared/contract'
import { useSelectionStore } from '../stores/selectionStore'
import { aggregateView, connectionInfo, createFakeApi, widgetType, type FakeApi } from './fakeApi'

export function aggregateViewApi(id: string, latest: number): FakeApi {
  const api = createFakeApi()
  useSelectionStore.getState().reset()
  useSelectionStore.getState().select(id)
  api.getConnection.mockResolvedValue(connectionInfo())
  api.listAggregateTypes.mockResolvedValue([widgetType()])
  api.listSnapshotVersions.mockResolvedValue({ versions: [] })
  api.getAggregate.mockImplementation(async ({ at }: RequestOf<'getAggregate'>) =>
    aggregateView(id, at ?? latest, latest),
  )
  return api
}
