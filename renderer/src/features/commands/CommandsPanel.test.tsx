// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type HandleDto } from '../../../../shared/contract'
import { setApi } from '../../api'
import { createFakeApi, eventDto, flush, uuid, type FakeApi } from '../../testing/fakeApi'
import { CommandsPanel } from './CommandsPanel'

const A = uuid(1)
let api: FakeApi

const handle = (overrides: Partial<HandleDto> = {}): HandleDto => ({
  handleId: 'h-1',
  aggregateId: A,
  loadedVersion: 3,
  version: 3,
  storedVersion: 3,
  stale: false,
  pending: [],
  state: { _foo: 'bar' },
  discarded: false,
  ...overrides,
})
const withPending = (overrides: Partial<HandleDto> = {}) =>
  handle({
    version: 4,
    pending: [eventDto(A, 4, { payload: { name: '_foo', value: 'mine' } })],
    ...overrides,
  })
const change = (toVersion: number) => ({
  entries: [
    {
      position: String(toVersion),
      originatorId: A,
      fromVersion: toVersion,
      toVersion,
      topics: ['example#ExampleAggregateRoot.AttributeChanged'],
      recordedAt: '2026-01-01T00:00:00.000Z',
    },
  ],
})

beforeEach(() => {
  api = createFakeApi()
  setApi(api)
  api.closeHandle.mockResolvedValue({ closed: true })
})
afterEach(() => {
  cleanup()
  setApi(null)
})

async function openPanel(opened: HandleDto) {
  api.openHandle.mockResolvedValue(opened)
  render(<CommandsPanel aggregateId={A} />)
  await act(flush)
}

describe('CommandsPanel and the stale flag', () => {
  it('warns with pending events once the main process reports the handle stale', async () => {
    await openPanel(withPending())
    api.getHandle.mockResolvedValue(withPending({ storedVersion: 5, stale: true }))

    await act(async () => {
      api.emit('changes', change(5))
      await flush()
    })

    expect(api.getHandle).toHaveBeenCalledWith({ handleId: 'h-1' })
    expect(api.refreshHandle).not.toHaveBeenCalled()
    expect(
      screen.getByText(/Someone else saved version 5 while these events were pending/),
    ).toBeTruthy()
  })

  it('after a refused save shows the explanation, then the stale warning, until Drop', async () => {
    await openPanel(withPending())
    api.saveHandle.mockRejectedValue(
      new ExplorerError({
        code: 'ConcurrencyError',
        message: 'Another writer saved first',
        details: { aggregateId: A, expectedVersion: 4, actualVersion: 4, winningEvents: [] },
      }),
    )
    api.getHandle.mockResolvedValue(withPending({ storedVersion: 4, stale: true }))

    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Save' }))
      await flush()
    })
    expect(screen.getByRole('alert').textContent).toContain('ConcurrencyError')
    expect(api.getHandle).toHaveBeenCalledTimes(1)

    // Staging more clears the error; the handle is still stale, and says so.
    api.applyCommand.mockResolvedValue(withPending({ storedVersion: 4, stale: true }))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Add example' }))
      await flush()
    })
    expect(screen.queryByRole('alert')).toBeNull()
    expect(screen.getByText(/Someone else saved version 4/)).toBeTruthy()

    api.refreshHandle.mockResolvedValue(handle({ loadedVersion: 4, version: 4, storedVersion: 4 }))
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Drop' }))
      await flush()
    })
    expect(screen.queryByText(/Someone else saved version/)).toBeNull()
    expect(screen.getByText('Dropped 1 pending event; reloaded version 4.')).toBeTruthy()
  })

  it('an idle handle follows live changes instead', async () => {
    await openPanel(handle())
    api.refreshHandle.mockResolvedValue(handle({ loadedVersion: 5, version: 5, storedVersion: 5 }))

    await act(async () => {
      api.emit('changes', change(5))
      await flush()
    })

    expect(api.refreshHandle).toHaveBeenCalledWith({ handleId: 'h-1' })
    expect(api.getHandle).not.toHaveBeenCalled()
    expect(screen.getByText('Stored version:', { exact: false }).textContent).toContain('5')
  })
})
