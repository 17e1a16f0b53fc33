// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExplorerError, type ConnectionInfo } from '../../../../shared/contract'
import { connectionInfo, createFakeApi, deferred, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { ConnectionScreen } from './ConnectionScreen'

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  api.getConnection.mockResolvedValue(connectionInfo())
})
afterEach(() => cleanup())

describe('ConnectionScreen', () => {
  it('keeps the focus on Connect while it works and after it fails; Retry repeats it from there', async () => {
    renderWithQueries(<ConnectionScreen />, { api })
    await screen.findByText('SQLite: /tmp/test.sqlite')
    fireEvent.click(screen.getByRole('radio', { name: /In-memory/ }))
    const answer = deferred<ConnectionInfo>()
    api.connect.mockReturnValueOnce(answer.promise)

    const connect = screen.getByRole('button', { name: 'Connect' })
    connect.focus()
    await act(async () => fireEvent.click(connect))
    const working = screen.getByRole('button', { name: 'Connecting…' })
    expect(working).toBe(connect)
    // Still focusable: a disabled button would drop the focus to the page.
    expect(working).toMatchObject({ disabled: false })
    expect(working.getAttribute('aria-disabled')).toBe('true')
    expect(document.activeElement).toBe(connect)

    await act(async () =>
      answer.reject(new ExplorerError({ code: 'StoreUnavailable', message: 'no such store' })),
    )
    expect((await screen.findByRole('alert')).textContent).toContain('no such store')
    expect(document.activeElement).toBe(connect)

    api.connect.mockResolvedValueOnce(connectionInfo({ kind: 'memory', description: 'Memory' }))
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Retry' })))
    expect(document.activeElement).toBe(connect)
    expect(api.connect).toHaveBeenCalledTimes(2)
    expect(api.connect.mock.calls[1]).toEqual(api.connect.mock.calls[0])
  })
})
