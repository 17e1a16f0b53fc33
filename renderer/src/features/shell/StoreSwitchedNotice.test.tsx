// @vitest-environment jsdom
/**
 * The server's connection is shared by every page: when another window or tab connects it to
 * another store, this page's selection and staged commands go, and the page says why.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionSettings } from '../../../../shared/contract'
import { useConnect, useConnection } from '../../queries/connection'
import { useServerEvents } from '../../queries/serverEvents'
import { useConnectionStore } from '../../stores/connectionStore'
import { useSelectionStore } from '../../stores/selectionStore'
import { connectionInfo, createFakeApi, uuid, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { StoreSwitchedNotice } from './StoreSwitchedNotice'

const OTHER: ConnectionSettings = { kind: 'sqlite', path: '/tmp/other.sqlite' }
const other = connectionInfo({ description: 'SQLite: /tmp/other.sqlite', settings: OTHER })
let api: FakeApi

/** The app's parts that matter here: the pushed events, the connection, a Connect button. */
function Page() {
  useServerEvents()
  useConnection()
  const connect = useConnect()
  return (
    <>
      <button type="button" onClick={() => void connect.run(OTHER).catch(() => {})}>
        Connect
      </button>
      <StoreSwitchedNotice />
    </>
  )
}

beforeEach(() => {
  api = createFakeApi()
  api.getConnection.mockResolvedValue(connectionInfo())
  useConnectionStore.getState().reset()
  useSelectionStore.getState().reset()
})
afterEach(() => cleanup())

async function renderPage() {
  renderWithQueries(<Page />, { api })
  await waitFor(() => expect(api.getConnection).toHaveBeenCalled())
  await act(async () => {})
  // Nothing to say at start: the page's first look at the connection is no switch.
  expect(screen.getByRole('status').textContent).toBe('')
}

describe('a store switched by another window', () => {
  it('says so, politely, naming the new store, and can be dismissed', async () => {
    await renderPage()
    act(() => useSelectionStore.getState().select(uuid(1)))

    act(() => api.emit('connection', other))

    const status = screen.getByRole('status')
    expect(status.textContent).toContain(
      'Another window switched the store to SQLite: /tmp/other.sqlite',
    )
    expect(status.textContent).toContain(
      "SQLite: /tmp/other.sqlite. This page's selection and staged commands were cleared.",
    )
    expect(useSelectionStore.getState().aggregateId).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'Dismiss the store switch message' }))
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it('says nothing when this page switched the store itself', async () => {
    await renderPage()
    // The server pushes the new connection to every page, this one included, before it answers.
    api.connect.mockImplementation(async () => {
      api.emit('connection', other)
      return other
    })

    fireEvent.click(screen.getByRole('button', { name: 'Connect' }))

    await waitFor(() => expect(api.connect).toHaveBeenCalled())
    await act(async () => {})
    expect(screen.getByRole('status').textContent).toBe('')
  })

  it('says when another window disconnected the store', async () => {
    await renderPage()
    act(() =>
      api.emit(
        'connection',
        connectionInfo({ status: 'disconnected', description: 'Not connected' }),
      ),
    )
    expect(screen.getByRole('status').textContent).toContain(
      'Another window disconnected the store SQLite: /tmp/test.sqlite',
    )
  })
})
