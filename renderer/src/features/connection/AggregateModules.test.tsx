// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setApi } from '../../api'
import { connectionInfo, createFakeApi, type FakeApi } from '../../testing/fakeApi'
import { AggregateModules } from './AggregateModules'

const INVENTORY = '/home/me/modules/inventory.mjs'
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  api.listAggregateTypes.mockResolvedValue([])
})
afterEach(() => {
  cleanup()
  setApi(null)
  delete window.eventscopeDesktop
})

describe('AggregateModules', () => {
  it('lists the loaded modules with their types and failures; no Load button in browser mode', () => {
    const info = connectionInfo({
      modules: [
        { path: INVENTORY, types: ['inventory#InventoryItem'] },
        { path: '/home/me/broken.mjs', types: [], error: 'exports no register function' },
      ],
    })
    render(<AggregateModules info={info} />)

    const list = screen.getByRole('list', { name: 'Loaded modules' })
    const items = within(list).getAllByRole('listitem')
    expect(items[0]!.textContent).toContain('Types: inventory#InventoryItem')
    expect(items[1]!.textContent).toContain('Failed')
    expect(items[1]!.textContent).toContain('exports no register function')
    expect(screen.queryByRole('button', { name: 'Load module…' })).toBeNull()
  })

  it('in the desktop app, Load module… picks a file, loads it and says what it registered', async () => {
    const pickAggregateModule = vi.fn(async () => INVENTORY)
    window.eventscopeDesktop = { pickSqliteFile: async () => null, pickAggregateModule }
    api.loadAggregateModule.mockResolvedValue({
      path: INVENTORY,
      types: ['inventory#InventoryItem'],
    })
    render(<AggregateModules info={connectionInfo()} />)
    expect(screen.getByText(/Built-in types only/)).toBeTruthy()

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Load module…' })))

    expect(api.loadAggregateModule).toHaveBeenCalledWith({ path: INVENTORY })
    expect(screen.getByRole('status').textContent).toContain('Loaded 1 type from')
    expect(api.listAggregateTypes).toHaveBeenCalled()
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
    render(<AggregateModules info={connectionInfo()} />)
    const button = screen.getByRole('button', { name: 'Load module…' })

    await act(async () => fireEvent.click(button))
    expect(api.loadAggregateModule).not.toHaveBeenCalled()
    await act(async () => fireEvent.click(button))

    expect(screen.getByRole('alert').textContent).toContain('its register function failed: boom')
  })
})
