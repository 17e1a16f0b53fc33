// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ConnectionInfo } from '../../../../shared/contract'
import { keys } from '../../queries/keys'
import { connectionInfo, createFakeApi, type FakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { useConnection } from '../../queries/connection'
import { CipherKeySection } from './CipherKeySection'

const KEY = btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => i * 3)))
let api: FakeApi

beforeEach(() => {
  api = createFakeApi()
})
afterEach(() => cleanup())

/** The section as the connection screen shows it: over the connection query's answer. */
function Section() {
  const { info } = useConnection()
  return info ? <CipherKeySection info={info} /> : null
}

function renderSection(info: ConnectionInfo) {
  api.getConnection.mockResolvedValue(info)
  const rendered = renderWithQueries(<Section />, { api })
  return rendered
}

describe('CipherKeySection', () => {
  it('Use key keeps the focus on the (cleared) key field and announces the key now in use', async () => {
    renderSection(connectionInfo({ keySource: 'none', encrypted: false }))
    const field = await screen.findByLabelText('Cipher key (base64)')
    api.setCipherKey.mockResolvedValue(connectionInfo({ keySource: 'entered' }))

    field.focus()
    fireEvent.change(field, { target: { value: KEY } })
    const use = screen.getByRole('button', { name: 'Use key' })
    use.focus()
    await act(async () => fireEvent.submit(field.closest('form')!))

    expect(api.setCipherKey).toHaveBeenCalledWith({ keyBase64: KEY, remember: false })
    expect(document.activeElement).toBe(field)
    expect((field as HTMLInputElement).value).toBe('')
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toBe('Key in use: Entered for this session'),
    )
  })

  it('Forget saved key hands the focus to the key field as the button goes away', async () => {
    const { client } = renderSection(connectionInfo({ keySource: 'saved' }))
    const forget = await screen.findByRole('button', { name: 'Forget saved key' })
    api.forgetCipherKey.mockResolvedValue(connectionInfo({ keySource: 'none', encrypted: false }))

    forget.focus()
    await act(async () => fireEvent.click(forget))

    await waitFor(() =>
      expect(screen.queryByRole('button', { name: 'Forget saved key' })).toBeNull(),
    )
    expect(document.activeElement).toBe(screen.getByLabelText('Cipher key (base64)'))
    expect(client.getQueryData(keys.connection())).toMatchObject({ keySource: 'none' })
  })
})
