// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { renderWithQueries } from '../../testing/render'
import { createFakeApi, flush, widgetType, type FakeApi } from '../../testing/fakeApi'
import { SeedButton } from './SeedButton'

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  api.seedDemoData.mockResolvedValue({ aggregates: 20, events: 200, cancelled: false })
})
afterEach(() => {
  cleanup()
})

async function openDialog() {
  renderWithQueries(<SeedButton />, { api })
  await act(flush)
  fireEvent.click(screen.getByRole('button', { name: 'Seed demo data' }))
  return screen.getByRole('dialog', { name: 'Seed demo data' })
}

async function seed(dialog: HTMLElement) {
  await act(async () => {
    fireEvent.click(within(dialog).getByRole('button', { name: 'Seed' }))
    await flush()
  })
}

describe('SeedButton', () => {
  it('offers only the types that can be seeded, by display name, and sends the topic', async () => {
    api.listAggregateTypes.mockResolvedValue([
      widgetType(),
      widgetType({ topic: 'test#Plain', displayName: 'Plain', canSeed: false }),
      widgetType({ topic: 'test#Gadget', displayName: 'Gadget' }),
    ])
    const dialog = await openDialog()
    const type = within(dialog).getByRole('combobox', { name: 'Aggregate type' })
    expect(
      within(type)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Widget', 'Gadget'])
    fireEvent.change(type, { target: { value: 'test#Gadget' } })
    await seed(dialog)
    expect(api.seedDemoData).toHaveBeenCalledWith(
      expect.objectContaining({ aggregates: 20, events: 10, type: 'test#Gadget' }),
    )
  })

  it('without a seedable type leaves the choice to the server', async () => {
    api.listAggregateTypes.mockResolvedValue([widgetType({ canSeed: false })])
    const dialog = await openDialog()
    expect(within(dialog).queryByRole('combobox', { name: 'Aggregate type' })).toBeNull()
    expect(within(dialog).getByText(/the server seeds its default type/)).toBeTruthy()
    await seed(dialog)
    const request = api.seedDemoData.mock.calls[0]?.[0]
    expect(request).toMatchObject({ aggregates: 20, events: 10 })
    expect(request && 'type' in request).toBe(false)
  })
})
