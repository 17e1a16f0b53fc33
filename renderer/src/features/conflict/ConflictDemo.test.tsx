// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type RequestOf } from '../../../../shared/contract'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { useStagedCommandsStore } from '../../stores/stagedCommandsStore'
import {
  aggregateView,
  commandResult,
  createFakeApi,
  eventDto,
  flush,
  uuid,
  widgetType,
  type FakeApi,
} from '../../testing/fakeApi'
import { ConflictDemo } from './ConflictDemo'

const A = uuid(7)
type Batch = RequestOf<'preview'>
let api: FakeApi

const renamed = (version: number, name: string) =>
  eventDto(A, version, { type: 'AttributeChanged', payload: { name: 'name', value: name } })
const answer = (batch: Batch) =>
  commandResult(
    A,
    batch.expectedVersion,
    batch.commands.map((c, i) =>
      renamed(batch.expectedVersion + 1 + i, String(c.params?.['name'])),
    ),
  )

beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  useStagedCommandsStore.getState().reset()
  api.listAggregateTypes.mockResolvedValue([widgetType()])
  api.getAggregate.mockResolvedValue(aggregateView(A, 3))
  api.listAggregates.mockResolvedValue({ items: [], total: 0 })
  api.preview.mockImplementation(async (batch) => answer(batch))
})
afterEach(() => {
  cleanup()
})

const client = (side: 'A' | 'B') => screen.getByRole('region', { name: `Client ${side}` })

async function stage(side: 'A' | 'B', name: string) {
  const card = client(side)
  fireEvent.change(within(card).getByRole('textbox', { name: 'New name' }), {
    target: { value: name },
  })
  await act(async () => {
    fireEvent.click(within(card).getByRole('button', { name: 'Stage' }))
    await flush()
  })
}

async function click(side: 'A' | 'B', name: string) {
  await act(async () => {
    fireEvent.click(within(client(side)).getByRole('button', { name }))
    await flush()
  })
}

describe('ConflictDemo', () => {
  it('the stale client is refused with ConcurrencyError, reloads and saves', async () => {
    renderWithQueries(<ConflictDemo aggregateId={A} />, { api })
    await act(flush)
    await act(flush)
    for (const side of ['A', 'B'] as const)
      expect(within(client(side)).getByText(/Expected version:/).textContent).toContain('3')

    await stage('A', 'from A')
    await stage('B', 'from B')
    api.execute.mockImplementationOnce(async (batch) => answer(batch))
    await click('A', 'Save')
    expect(api.execute).toHaveBeenLastCalledWith({
      id: A,
      expectedVersion: 3,
      commands: [{ name: 'rename', params: { name: 'from A' } }],
    })
    expect(within(client('A')).getByText(/Expected version:/).textContent).toContain('4')
    expect(within(client('B')).getByText(/Expected version:/).textContent).toContain('3')

    api.execute.mockRejectedValueOnce(
      new ExplorerError({
        code: 'ConcurrencyError',
        message: 'version 4 exists',
        details: {
          aggregateId: A,
          expectedVersion: 4,
          actualVersion: 4,
          winningEvents: [renamed(4, 'from A')],
        },
      }),
    )
    await click('B', 'Save')
    const alert = within(client('B')).getByRole('alert')
    expect(alert.textContent).toContain(
      'Client B expected version 4 to be free; the store already holds versions up to 4 (written by another client)',
    )
    expect(within(alert).getByRole('list', { name: 'Winning events' }).textContent).toContain(
      'from A',
    )
    expect(screen.getByRole('list', { name: 'Step log' }).textContent).toContain(
      "Client B's save was rejected with ConcurrencyError",
    )

    api.getAggregate.mockResolvedValue(aggregateView(A, 4))
    await click('B', 'Reload')
    expect(within(client('B')).getByText(/Expected version:/).textContent).toContain('4')
    expect(
      within(within(client('B')).getByRole('list', { name: 'Staged by Client B' })).getAllByRole(
        'listitem',
      ),
    ).toHaveLength(1)
    api.execute.mockImplementationOnce(async (batch) => answer(batch))
    await click('B', 'Save')
    expect(api.execute).toHaveBeenLastCalledWith({
      id: A,
      expectedVersion: 4,
      commands: [{ name: 'rename', params: { name: 'from B' } }],
    })
    expect(within(client('B')).getByRole('status').textContent).toContain(
      'Saved 1 event: version 5.',
    )
  })
})
