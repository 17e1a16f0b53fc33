// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  aggregateView,
  connectionInfo,
  createFakeApi,
  uuid,
  type FakeApi,
} from '../../testing/fakeApi'
import { keys } from '../../queries/keys'
import { AggregateModules } from './AggregateModules'

const INVENTORY = '/home/me/modules/inventory.mjs'
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  api.listAggregateTypes.mockResolvedValue([])
})
afterEach(() => {
  cleanup()
  delete window.eventscopeDesktop
})

describe('AggregateModules', () => {
  it('lists the loaded modules with their types and failures; no Load button in browser mode', () => {
    const info = connectionInfo({
      modules: [
        { path: INVENTORY, types: ['inventory#InventoryItem'] },
        { path: '/home/me/broken.mjs', types: [], error: 'exports no register function' },
        {
          path: '/home/me/half.mjs',
          types: ['half#Thing'],
          error: 'its register function failed: the same topic twice',
        },
      ],
    })
    renderWithQueries(<AggregateModules info={info} />, { api })

    const list = screen.getByRole('list', { name: 'Loaded modules' })
    const items = within(list).getAllByRole('listitem')
    expect(items[0]!.textContent).toContain('Types: inventory#InventoryItem')
    expect(items[1]!.textContent).toContain('Failed')
    expect(items[1]!.textContent).toContain('exports no register function')
    expect(items[1]!.textContent).not.toContain('Registered')
    // What a failing module registered before it failed is registered: said with the failure.
    expect(items[2]!.textContent).toContain('Failed')
    expect(items[2]!.textContent).toContain('Registered before it failed: half#Thing')
    expect(screen.queryByRole('button', { name: 'Load module…' })).toBeNull()
  })

  it('in the desktop app, Load module… picks a file, loads it and says what it registered', async () => {
    const pickAggregateModule = vi.fn(async () => INVENTORY)
    window.eventscopeDesktop = { pickSqliteFile: async () => null, pickAggregateModule }
    api.loadAggregateModule.mockResolvedValue({
      path: INVENTORY,
      types: ['inventory#InventoryItem'],
    })
    const { client } = renderWithQueries(<AggregateModules info={connectionInfo()} />, { api })
    client.setQueryData(keys.aggregateTypes(), [])
    client.setQueryData(keys.aggregateAt(uuid(1), 3), aggregateView(uuid(1), 3))
    expect(screen.getByText(/Built-in types only/)).toBeTruthy()

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Load module…' })))

    expect(api.loadAggregateModule).toHaveBeenCalledWith({ path: INVENTORY })
    expect(screen.getByRole('status').textContent).toContain('Loaded 1 type from')
    // Its types are asked for again, and views replay with the new definitions.
    expect(client.getQueryState(keys.aggregateTypes())?.isInvalidated).toBe(true)
    expect(client.getQueryState(keys.aggregateAt(uuid(1), 3))?.isInvalidated).toBe(true)
  })

  it('says why a picked module failed, and does nothing when the dialog is cancelled', async () => {
    const pickAggregateModule = vi
      .fn<() => Promise<string | null>>()
      .mockResolvedValueOnce(null)
      .mockResolvedValueOnce('/home/me/broken.mjs')
    window.eventscopeDesktop = { pickSqliteFile: async () => null, pickAggregateModule }
    api.loadAggregateModule.mockResolvedValue({
      path: '/home/me/broken.mjs',
      types: [],
      error: 'its register function failed: boom',
    })
    renderWithQueries(<AggregateModules info={connectionInfo()} />, { api })
    const button = screen.getByRole('button', { name: 'Load module…' })

    await act(async () => fireEvent.click(button))
    expect(api.loadAggregateModule).not.toHaveBeenCalled()
    await act(async () => fireEvent.click(button))

    expect(screen.getByRole('alert').textContent).toContain('its register function failed: boom')
  })
})
