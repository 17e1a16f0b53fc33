// @vitest-environment jsdom
/**
 * A timeline row whose payload the listing shortened (shared/longStrings.ts): the open row says
 * which strings and how long they are, and Copy copies the whole payload, asked for by export.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFakeApi, eventDto } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { EventRow } from './EventRow'

const A = '00000000-0000-4000-8000-000000000001'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

describe('EventRow', () => {
  it('says which strings are shortened and copies the whole payload', async () => {
    const whole = { name: 'foo', value: 'x'.repeat(25_000) }
    const listed = eventDto(A, 3, {
      payload: { name: 'foo', value: 'x'.repeat(10_000) },
      payloadShortened: [{ path: ['value'], length: 25_000 }],
    })
    const api = createFakeApi()
    api.exportHistory.mockResolvedValue({
      aggregateId: A,
      type: 'test#Widget',
      exportedAt: '2026-01-01T00:00:00.000Z',
      latestVersion: 3,
      events: [{ ...listed, payload: whole, payloadShortened: [] }],
    })
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    renderWithQueries(
      <EventRow
        index={3}
        measureRef={() => {}}
        style={{}}
        event={listed}
        current={false}
        snapshot={false}
        rawOpen
        raw={undefined}
        timezone="utc"
        onToggleRaw={() => {}}
        onSelect={() => {}}
      />,
      { api },
    )

    expect(
      screen.getByText(/Long strings are shortened here to their first 10,000 characters/)
        .textContent,
    ).toContain('value (25,000 characters)')
    fireEvent.click(screen.getByRole('button', { name: 'Copy payload of version 3' }))
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(JSON.stringify(whole, null, 2)))
    expect(api.exportHistory).toHaveBeenCalledWith({ id: A, fromVersion: 3, limit: 1 })
  })
})
