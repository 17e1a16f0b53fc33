// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DesktopBridge } from '../../../../shared/desktop'
import { renderWithQueries } from '../../testing/render'
import { DesktopFileButtons } from './DesktopFileButtons'

afterEach(() => {
  cleanup()
  delete window.eventscopeDesktop
})

describe('DesktopFileButtons', () => {
  it('is absent in browser mode (no desktop bridge)', () => {
    renderWithQueries(<DesktopFileButtons onPick={() => {}} />)

    expect(screen.queryByRole('button', { name: 'Browse…' })).toBeNull()
  })

  it('in the desktop app, Browse… and New file… ask the system dialog and fill in the chosen file', async () => {
    const pickSqliteFile = vi.fn<DesktopBridge['pickSqliteFile']>(async (mode) =>
      mode === 'open' ? '/home/me/store.sqlite' : null,
    )
    window.eventscopeDesktop = { pickSqliteFile, pickAggregateModule: async () => null }
    const onPick = vi.fn()
    renderWithQueries(<DesktopFileButtons onPick={onPick} />)

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Browse…' })))
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'New file…' })))

    expect(pickSqliteFile.mock.calls).toEqual([['open'], ['create']])
    expect(onPick.mock.calls).toEqual([['/home/me/store.sqlite']]) // the cancelled dialog picks nothing
  })

  it('says when the dialog fails', async () => {
    window.eventscopeDesktop = {
      pickSqliteFile: async () => {
        throw new Error('no window to show the dialog on')
      },
      pickAggregateModule: async () => null,
    }
    renderWithQueries(<DesktopFileButtons onPick={() => {}} />)

    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Browse…' })))

    expect((await screen.findByRole('alert')).textContent).toContain(
      'no window to show the dialog on',
    )
  })
})
