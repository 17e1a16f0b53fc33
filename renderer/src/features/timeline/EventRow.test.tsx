// @vitest-environment jsdom
/**
 * A timeline row whose payload the listing shortened (shared/longStrings.ts): the open row says
 * which strings and how long they are, and Copy copies the whole payload, asked for by export.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventDto } from '../../../../shared/contract'
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
        above={undefined}
        previousVersion={undefined}
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

describe("EventRow's Time cell", () => {
  const at = (version: number, timestamp: string) => eventDto(A, version, { timestamp })

  function renderRow(event: EventDto, above: EventDto | undefined) {
    renderWithQueries(
      <EventRow
        index={event.version}
        measureRef={() => {}}
        style={{}}
        event={event}
        above={above}
        previousVersion={above?.version === event.version - 1 ? above : undefined}
        current={false}
        snapshot={false}
        rawOpen={false}
        raw={undefined}
        timezone="utc"
        onToggleRaw={() => {}}
        onSelect={() => {}}
      />,
    )
    return screen.getByRole('row')
  }

  it('shows the time alone on the same day as the row above, and no mark when later', () => {
    const row = renderRow(at(12, '2026-01-02T10:00:00.027Z'), at(11, '2026-01-02T10:00:00.000Z'))
    const cells = within(row).getAllByRole('cell')
    expect(cells[2]!.textContent).toBe('10:00:00.027')
    expect(within(row).queryByRole('img', { name: /^Earlier than/ })).toBeNull()
  })

  it('shows the date when the day changed, and marks an event stamped a day before the version before it', () => {
    // A writer whose clock was a day behind: by the time of day alone, 27 ms later.
    const row = renderRow(at(12, '2026-01-01T10:00:00.027Z'), at(11, '2026-01-02T10:00:00.000Z'))
    expect(within(row).getAllByRole('cell')[2]!.textContent).toBe('2026-01-01 10:00:00.027')
    const mark = within(row).getByRole('img', {
      name: 'Earlier than version 11, by 23 h 59 min',
    })
    expect(mark.getAttribute('title')).toBe('Earlier than version 11, by 23 h 59 min')
  })

  it('shows the date on a row with none above when it is not today', () => {
    const row = renderRow(at(0, '2026-01-01T10:00:00.000Z'), undefined)
    expect(within(row).getAllByRole('cell')[2]!.textContent).toBe('2026-01-01 10:00:00.000')
  })

  it('shows an unreadable record as such: its reason, and no time', () => {
    const damaged = eventDto(A, 3, {
      payload: null,
      timestamp: '1970-01-01T00:00:00.000Z',
      problem: 'v3 (x:Y.Changed): not valid JSON',
    })
    renderWithQueries(
      <EventRow
        index={3}
        measureRef={() => {}}
        style={{}}
        event={damaged}
        above={undefined}
        previousVersion={undefined}
        current={false}
        snapshot={false}
        rawOpen={false}
        raw={undefined}
        timezone="utc"
        onToggleRaw={() => {}}
        onSelect={() => {}}
      />,
      { api: createFakeApi() },
    )
    const cells = screen.getAllByRole('cell').map((c) => c.textContent)
    expect(cells).toContain('unknown')
    expect(cells).toContain('⚠ unreadable: v3 (x:Y.Changed): not valid JSON')
    expect(cells.join(' ')).not.toContain('1970')
  })
})
