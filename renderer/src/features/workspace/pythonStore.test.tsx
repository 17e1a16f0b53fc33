// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import {
  connectionInfo,
  createFakeApi,
  eventDto,
  flush,
  pagedAggregates,
  widgetType,
  type FakeApi,
} from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { ConnectionScreen } from '../connection/ConnectionScreen'
import { SnapshotsPanel } from '../snapshots/SnapshotsPanel'
import { Timeline } from '../timeline/Timeline'
import { VerifyHistoryButton } from '../verify/VerifyHistoryButton'
import { AggregatesPanel } from './AggregatesPanel'

/** What the server says of a Python store: read-only, in Eventscope's own words. */
const pythonInfo = connectionInfo({
  kind: 'python-sqlite',
  description: 'Python eventsourcing on SQLite: /tmp/app.sqlite',
  settings: { kind: 'python-sqlite', path: '/tmp/app.sqlite' },
  encrypted: false,
  encryptionNote: 'Not encrypted',
  readOnly: true,
  readOnlyReason:
    'the connection was opened read-only: nothing can be saved, seeded or changed. Reconnect without “Read-only” to make changes.',
})

let api: FakeApi
beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  api.getConnection.mockResolvedValue(pythonInfo)
  api.listAggregateTypes.mockResolvedValue([])
  api.listAggregates.mockImplementation(pagedAggregates([]))
  api.countAggregates.mockResolvedValue({ total: 0 })
})
afterEach(() => {
  cleanup()
})

const description = (element: HTMLElement) =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')

describe('the aggregate list over a Python store', () => {
  it('offers no writes and says why in words that fit a Python store', async () => {
    renderWithQueries(<AggregatesPanel />, { api })
    await act(flush)
    for (const name of ['Seed demo data', 'New aggregate']) {
      const button = screen.getByRole('button', { name })
      await waitFor(() => expect(button).toHaveProperty('disabled', true))
      expect(description(button)).toMatch(/Python eventsourcing stores are opened read-only/)
    }
    const note = await screen.findByRole('note')
    expect(note.textContent).toMatch(/Python eventsourcing stores are opened read-only/)
    expect(note.textContent).not.toMatch(/Reconnect without/)
  })

  it('does not suggest filling an empty Python store', async () => {
    renderWithQueries(<AggregatesPanel />, { api })
    expect(
      await screen.findByText('The Python application has stored no aggregates here yet.'),
    ).toBeTruthy()
    expect(screen.queryByText(/seed demo data/)).toBeNull()
  })

  it('disables Verify store: there is no hash chain', async () => {
    renderWithQueries(<AggregatesPanel />, { api })
    await act(flush)
    const verify = screen.getByRole('button', { name: 'Verify store' })
    await waitFor(() => expect(verify).toHaveProperty('disabled', true))
    expect(description(verify)).toBe('Python stores have no hash chain to verify.')
  })

  it('offers Verify store for an Eventscope store', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    renderWithQueries(<AggregatesPanel />, { api })
    await act(flush)
    expect(screen.getByRole('button', { name: 'Verify store' })).toHaveProperty('disabled', false)
  })
})

describe('an aggregate of a Python store', () => {
  it('disables Verify whole history: there is no hash chain', async () => {
    renderWithQueries(<VerifyHistoryButton aggregateId="order-1" />, { api })
    await act(flush)
    const verify = screen.getByRole('button', { name: 'Verify whole history' })
    await waitFor(() => expect(verify).toHaveProperty('disabled', true))
    expect(description(verify)).toMatch(/^Python stores have no hash chain to verify\./)
  })
})

describe('Eventscope’s snapshotting policy', () => {
  it('is not stated for a Python store’s connection', async () => {
    renderWithQueries(<ConnectionScreen />, { api })
    await screen.findByText(/\/tmp\/app\.sqlite/)
    expect(screen.queryByText('Snapshots')).toBeNull()
    expect(screen.queryByText(/every 2 events/)).toBeNull()
  })

  it('is stated for an Eventscope store’s connection', async () => {
    api.getConnection.mockResolvedValue(connectionInfo())
    renderWithQueries(<ConnectionScreen />, { api })
    expect(await screen.findByText('every 2 events')).toBeTruthy()
  })

  it('is not what a Python aggregate without snapshots is told', async () => {
    api.listSnapshotSummaries.mockResolvedValue({ items: [] })
    renderWithQueries(<SnapshotsPanel aggregateId="order-1" />, { api })
    expect(
      await screen.findByText('The Python application took no snapshots of this aggregate.'),
    ).toBeTruthy()
    expect(screen.queryByText(/snapshotting policy/)).toBeNull()
  })
})

describe('the type filters over a Python store', () => {
  const options = (select: HTMLElement) =>
    within(select)
      .getAllByRole('option')
      .map((option) => option.textContent)

  it('offers none of Eventscope’s built-in aggregate types', async () => {
    api.listAggregateTypes.mockResolvedValue([
      widgetType({ topic: 'example#Example', displayName: 'Example aggregate' }),
      widgetType({ topic: 'shop#Basket', displayName: 'Basket', source: '/modules/shop.js' }),
    ])
    renderWithQueries(<AggregatesPanel />, { api })
    const select = screen.getByRole('combobox', { name: 'Aggregate type' })
    await waitFor(() => expect(options(select)).toEqual(['All types', 'Basket']))
  })

  it('offers only the event types the aggregate has, not Eventscope’s Created/AttributeChanged/Discarded', async () => {
    api.listSnapshotVersions.mockResolvedValue({ versions: [] })
    api.listEvents.mockImplementation(async () => {
      const items = [1, 2].map((version) =>
        eventDto('order-1', version, {
          topic: `__main__:Warehouse.${version === 1 ? 'Registered' : 'Stocked'}`,
          type: version === 1 ? 'Registered' : 'Stocked',
          previousHash: '',
          hash: '',
        }),
      )
      return { items, latestVersion: 2, firstVersion: 1, scanned: items.length }
    })
    renderWithQueries(<Timeline aggregateId="order-1" />, { api })
    const select = await screen.findByRole('combobox', { name: 'Event type' })
    await waitFor(() =>
      expect(options(select)).toEqual(['All event types', 'Registered', 'Stocked']),
    )
  })
})
