// @vitest-environment jsdom
import { renderWithQueries } from '../../testing/render'
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
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
import { CommandsPanel } from './CommandsPanel'

const A = uuid(1)
type Batch = RequestOf<'preview'>
let api: FakeApi

const renamed = (version: number, name: string) =>
  eventDto(A, version, { type: 'AttributeChanged', payload: { name: 'name', value: name } })

/** Answers a preview with one event per command, numbered from the batch's version. */
function previewEcho(batch: Batch) {
  const events = batch.commands.map((c, i) =>
    renamed(batch.expectedVersion + 1 + i, String(c.params?.['name'] ?? c.name)),
  )
  return Promise.resolve(commandResult(A, batch.expectedVersion, events))
}

beforeEach(() => {
  api = createFakeApi()
  useAggregateListStore.getState().reset()
  useStagedCommandsStore.getState().reset()
  api.listAggregateTypes.mockResolvedValue([widgetType()])
  api.getAggregate.mockResolvedValue(aggregateView(A, 3))
  api.listAggregates.mockResolvedValue({ items: [], total: 0 })
  api.preview.mockImplementation(previewEcho)
})
afterEach(() => {
  cleanup()
})

async function openPanel() {
  renderWithQueries(<CommandsPanel aggregateId={A} />, { api })
  await act(flush)
  await act(flush)
}

async function stageRename(name: string) {
  fireEvent.change(screen.getByRole('combobox', { name: 'Command' }), {
    target: { value: 'rename' },
  })
  fireEvent.change(screen.getByRole('textbox', { name: 'New name' }), { target: { value: name } })
  await act(async () => {
    fireEvent.click(screen.getByRole('button', { name: 'Stage' }))
    await flush()
  })
}

const stagedItems = () =>
  within(screen.getByRole('list', { name: 'Staged commands' })).getAllByRole('listitem')

describe('CommandsPanel', () => {
  it("renders the type's commands from their parameter schema", async () => {
    await openPanel()
    expect(screen.getByText('Expected version:', { exact: false }).textContent).toContain('3')
    fireEvent.change(screen.getByRole('combobox', { name: 'Command' }), {
      target: { value: 'adjust' },
    })
    expect(screen.getByRole('spinbutton', { name: 'Amount' })).toBeTruthy()
    const direction = screen.getByRole('combobox', { name: 'Direction' })
    expect(
      within(direction)
        .getAllByRole('option')
        .map((o) => o.textContent),
    ).toEqual(['up', 'down'])
    expect(screen.getByRole('checkbox', { name: 'Loud' })).toBeTruthy()
    expect(screen.getByText('Moves the level up or down.')).toBeTruthy()
  })

  it('checks fields in the form first: an empty required number is not sent', async () => {
    await openPanel()
    fireEvent.change(screen.getByRole('combobox', { name: 'Command' }), {
      target: { value: 'adjust' },
    })
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stage' }))
      await flush()
    })
    expect(screen.getByText('Required.')).toBeTruthy()
    expect(api.preview).not.toHaveBeenCalled()
  })

  it('stages through a preview, shows the pending events and state, and saves them as one batch', async () => {
    await openPanel()
    await stageRename('first')
    fireEvent.change(screen.getByRole('combobox', { name: 'Command' }), {
      target: { value: 'adjust' },
    })
    fireEvent.change(screen.getByRole('spinbutton', { name: 'Amount' }), {
      target: { value: '7' },
    })
    fireEvent.click(screen.getByRole('checkbox', { name: 'Loud' }))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stage' }))
      await flush()
    })

    expect(api.preview).toHaveBeenLastCalledWith({
      id: A,
      expectedVersion: 3,
      commands: [
        { name: 'rename', params: { name: 'first' } },
        { name: 'adjust', params: { amount: 7, direction: 'up', loud: true } },
      ],
    })
    expect(stagedItems().map((li) => li.textContent)).toEqual([
      expect.stringContaining('Rename'),
      expect.stringContaining('Adjust'),
    ])
    const pending = screen.getByRole('list', { name: 'Pending events' })
    expect(within(pending).getAllByRole('listitem')).toHaveLength(2)
    expect(screen.getByText(/2 pending events: versions 4–5 would be stored/)).toBeTruthy()
    expect(screen.getByRole('tree', { name: 'Resulting state' })).toBeTruthy()

    api.execute.mockResolvedValue(commandResult(A, 3, [renamed(4, 'first'), renamed(5, 'x')]))
    api.getAggregate.mockResolvedValue(aggregateView(A, 5))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }))
      await flush()
    })
    expect(api.execute).toHaveBeenCalledWith({
      id: A,
      expectedVersion: 3,
      commands: [
        { name: 'rename', params: { name: 'first' } },
        { name: 'adjust', params: { amount: 7, direction: 'up', loud: true } },
      ],
    })
    expect(screen.getByRole('status').textContent).toContain(
      'Saved 2 events together as one batch: versions 4–5.',
    )
    expect(screen.getByText('Nothing staged', { exact: false })).toBeTruthy()
    expect(useStagedCommandsStore.getState().slots[A]).toEqual({
      expectedVersion: 5,
      commands: [],
    })
  })

  it('keeps what is typed while a staged command is being checked; an untouched form is emptied', async () => {
    await openPanel()
    let answer: () => void = () => {}
    api.preview.mockImplementationOnce(
      (batch: Batch) => new Promise((resolve) => (answer = () => resolve(previewEcho(batch)))),
    )
    const field = () => screen.getByRole('textbox', { name: 'New name' })
    fireEvent.change(screen.getByRole('combobox', { name: 'Command' }), {
      target: { value: 'rename' },
    })
    fireEvent.change(field(), { target: { value: 'first' } })
    fireEvent.click(screen.getByRole('button', { name: 'Stage' }))
    await act(flush)
    expect(api.preview).toHaveBeenCalledTimes(1)
    // The next command typed while the first is checked.
    fireEvent.change(field(), { target: { value: 'second' } })
    await act(async () => {
      answer()
      await flush()
    })
    expect(stagedItems()).toHaveLength(1)
    expect((field() as HTMLInputElement).value).toBe('second')

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Stage' }))
      await flush()
    })
    expect(stagedItems()).toHaveLength(2)
    expect((field() as HTMLInputElement).value).toBe('')
  })

  it("shows a DomainError's message by the form and keeps the staged list", async () => {
    await openPanel()
    await stageRename('ok')
    api.preview.mockRejectedValueOnce(
      new ExplorerError({ code: 'DomainError', message: 'A widget name must be unique' }),
    )
    await stageRename('taken')

    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('A widget name must be unique')
    expect(alert.textContent).toContain('DomainError')
    expect(stagedItems()).toHaveLength(1)
    expect(useStagedCommandsStore.getState().slots[A]?.commands.map((c) => c.params)).toEqual([
      { name: 'ok' },
    ])
  })

  it('a command refused because the aggregate is discarded is headed as discarded', async () => {
    await openPanel()
    api.preview.mockRejectedValueOnce(
      new ExplorerError({
        code: 'AggregateNotFound',
        message: `aggregate ${A} is discarded`,
        details: { id: A, reason: 'discarded' },
      }),
    )
    await stageRename('late')

    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('Not staged: Aggregate is discarded')
    expect(alert.textContent).toContain(`aggregate ${A} is discarded`)
    expect(alert.textContent).not.toMatch(/not found/i)
  })

  it('previews again, debounced, after a staged command is removed', async () => {
    await openPanel()
    await stageRename('one')
    await stageRename('two')
    const calls = api.preview.mock.calls.length
    fireEvent.click(screen.getByRole('button', { name: 'Remove 1: Rename' }))
    await waitFor(() => expect(api.preview.mock.calls.length).toBe(calls + 1))
    expect(api.preview).toHaveBeenLastCalledWith({
      id: A,
      expectedVersion: 3,
      commands: [{ name: 'rename', params: { name: 'two' } }],
    })
    await waitFor(() => expect(screen.getByText(/1 pending event: version 4 would/)).toBeTruthy())
  })

  it('on ConcurrencyError shows who won and Reload latest keeps the staged commands', async () => {
    await openPanel()
    await stageRename('mine')
    const winner = renamed(4, 'theirs')
    api.execute.mockRejectedValueOnce(
      new ExplorerError({
        code: 'ConcurrencyError',
        message: 'Another writer saved first',
        details: { aggregateId: A, expectedVersion: 4, actualVersion: 4, winningEvents: [winner] },
      }),
    )
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }))
      await flush()
    })
    const alert = screen.getByRole('alert')
    expect(alert.textContent).toContain('ConcurrencyError')
    expect(alert.textContent).toContain(
      'expected version 4 to be free; the store already holds versions up to 4',
    )
    expect(within(alert).getByRole('list', { name: 'Winning events' }).textContent).toContain(
      'theirs',
    )

    api.getAggregate.mockResolvedValue(aggregateView(A, 4))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Reload latest' }))
      await flush()
    })
    expect(screen.queryByRole('alert')).toBeNull()
    expect(useStagedCommandsStore.getState().slots[A]?.expectedVersion).toBe(4)
    expect(stagedItems()).toHaveLength(1)
    await waitFor(() =>
      expect(api.preview).toHaveBeenLastCalledWith({
        id: A,
        expectedVersion: 4,
        commands: [{ name: 'rename', params: { name: 'mine' } }],
      }),
    )
  })

  it('says commands are not available when no definition is loaded for the type', async () => {
    api.getAggregate.mockResolvedValue({ ...aggregateView(A, 2), type: 'gone#Thing' })
    await openPanel()
    expect(screen.getByRole('note').textContent).toContain(
      'No definition loaded for gone#Thing: commands are not available.',
    )
    expect(screen.queryByRole('button', { name: 'Stage' })).toBeNull()
  })

  it('also when the view says definitionLoaded false', async () => {
    api.getAggregate.mockResolvedValue({ ...aggregateView(A, 2), definitionLoaded: false })
    await openPanel()
    expect(screen.getByRole('note').textContent).toContain('No definition loaded for test#Widget')
  })
})
