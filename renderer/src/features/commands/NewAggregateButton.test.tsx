// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError } from '../../../../shared/contract'
import { useAggregateListStore } from '../../stores/aggregateListStore'
import { useSelectionStore } from '../../stores/selectionStore'
import {
  commandResult,
  createFakeApi,
  eventDto,
  flush,
  uuid,
  widgetType,
  type FakeApi,
} from '../../testing/fakeApi'
import { NewAggregateButton } from './NewAggregateButton'

const NEW = uuid(42)
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  useSelectionStore.getState().select(null)
  api.listAggregateTypes.mockResolvedValue([
    widgetType(),
    widgetType({ topic: 'test#Gadget', displayName: 'Gadget', description: 'Another one.' }),
  ])
  api.listAggregates.mockResolvedValue({ items: [], total: 0 })
})
afterEach(() => {
  cleanup()
})

async function openDialog() {
  renderWithQueries(<NewAggregateButton />, { api })
  await act(flush)
  fireEvent.click(screen.getByRole('button', { name: 'New aggregate' }))
  return screen.getByRole('dialog', { name: 'New aggregate' })
}

describe('NewAggregateButton', () => {
  it('offers the registered types by display name and creates with execute', async () => {
    const dialog = await openDialog()
    const type = within(dialog).getByRole('combobox', { name: 'Aggregate type' })
    expect(
      within(type)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['Widget', 'Gadget'])
    fireEvent.change(type, { target: { value: 'test#Gadget' } })
    expect(within(dialog).getByText('Another one.')).toBeTruthy()
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), {
      target: { value: 'first' },
    })
    api.execute.mockResolvedValue(commandResult(NEW, -1, [eventDto(NEW, 0)]))
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }))
      await flush()
    })
    expect(api.execute).toHaveBeenCalledWith({
      type: 'test#Gadget',
      expectedVersion: -1,
      commands: [{ name: 'create', params: { name: 'first' } }],
    })
    expect(useSelectionStore.getState().aggregateId).toBe(NEW)
  })

  it('runs commands staged in the dialog right after the creation, in the same batch', async () => {
    const dialog = await openDialog()
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), {
      target: { value: 'first' },
    })
    fireEvent.change(within(dialog).getByRole('combobox', { name: 'Command' }), {
      target: { value: 'rename' },
    })
    fireEvent.change(within(dialog).getByRole('textbox', { name: 'New name' }), {
      target: { value: 'second' },
    })
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Stage' }))
      await flush()
    })
    expect(
      within(within(dialog).getByRole('list', { name: 'Staged after creation' })).getAllByRole(
        'listitem',
      ),
    ).toHaveLength(1)
    api.execute.mockResolvedValue(commandResult(NEW, -1, [eventDto(NEW, 0), eventDto(NEW, 1)]))
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }))
      await flush()
    })
    expect(api.execute).toHaveBeenCalledWith({
      type: 'test#Widget',
      expectedVersion: -1,
      commands: [
        { name: 'create', params: { name: 'first' } },
        { name: 'rename', params: { name: 'second' } },
      ],
    })
  })

  it('checks the create form first, and shows a refused creation', async () => {
    const dialog = await openDialog()
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }))
      await flush()
    })
    expect(within(dialog).getByText('Required.')).toBeTruthy()
    expect(api.execute).not.toHaveBeenCalled()

    fireEvent.change(within(dialog).getByRole('textbox', { name: 'Name' }), {
      target: { value: 'dup' },
    })
    api.execute.mockRejectedValue(
      new ExplorerError({ code: 'DomainError', message: 'That name is taken' }),
    )
    await act(async () => {
      fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }))
      await flush()
    })
    expect(within(dialog).getByRole('alert').textContent).toContain('That name is taken')
    expect(useSelectionStore.getState().aggregateId).toBeNull()
  })
})
