// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { useConnectionStore } from '../../stores/connectionStore'
import { connectionInfo, createFakeApi, type FakeApi } from '../../testing/fakeApi'
import { fakeService, renderWithQueries } from '../../testing/render'
import { StatusBar } from './StatusBar'

let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
  api.getConnection.mockResolvedValue(connectionInfo())
  useConnectionStore.getState().reset()
})
afterEach(() => cleanup())

// The dot is decoration (aria-hidden); its text equivalent is in the names checked beside it.
const dotOf = (button: HTMLElement) => button.querySelector('.dot')

describe('the header status', () => {
  it('says the store is live, with the green dot, while the page is linked', async () => {
    renderWithQueries(<StatusBar />, { api, service: fakeService(api, 'open') })
    const store = await screen.findByRole('button', {
      name: 'Change store (current: SQLite /tmp/test.sqlite)',
    })
    expect(dotOf(store)?.classList.contains('dot-ok')).toBe(true)
    expect(screen.getByRole('status', { name: /^Live updates: Live/ })).toBeTruthy()
  })

  it('says the page is offline, in text and without the green dot, while its socket is down', async () => {
    const service = fakeService(api, 'open')
    renderWithQueries(<StatusBar />, { api, service })
    await screen.findByRole('button', { name: /^Change store/ })

    for (const status of ['closed', 'refused', 'connecting'] as const) {
      act(() => service.setStatus(status))
      const store = screen.getByRole('button', {
        name: 'Change store (current: SQLite /tmp/test.sqlite; this page is offline)',
      })
      expect(dotOf(store)?.classList.contains('dot-ok'), status).toBe(false)
      expect(dotOf(store)?.classList.contains('dot-offline'), status).toBe(true)
      // Visible words beside it say so too.
      const live = screen.getByRole('status', { name: /^Live updates: / })
      expect(live.textContent, status).toMatch(status === 'connecting' ? 'Reconnecting' : 'Offline')
    }

    act(() => service.setStatus('open'))
    const back = screen.getByRole('button', {
      name: 'Change store (current: SQLite /tmp/test.sqlite)',
    })
    expect(dotOf(back)?.classList.contains('dot-ok')).toBe(true)
  })
})
