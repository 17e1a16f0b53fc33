// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { JsonValue } from '../../../shared/contract'
import { useSelectionStore } from '../stores/selectionStore'
import { JsonTree } from './JsonTree'

afterEach(() => {
  cleanup()
  useSelectionStore.getState().setTimezone('local')
})

/** The tree item that reads `text` (its text run together, without the hidden caret). */
const item = (text: string) => {
  const found = screen
    .getAllByRole('treeitem')
    .filter((el) => el.textContent?.replace(/^[▾▸]/, '') === text)
  expect(found, text).toHaveLength(1)
  return found[0]
}

describe('JsonTree: each value shown with its kind', () => {
  it('shows a Date as a date to the millisecond, per the Local/UTC choice; a string of the same text as a string', () => {
    useSelectionStore.getState().setTimezone('utc')
    const text = '2020-02-29T23:59:59.999Z'
    render(<JsonTree label="State" value={{ at: { '@': 'date', v: text }, text }} />)
    const time = screen.getByText('2020-02-29 23:59:59.999 UTC')
    expect(time.tagName).toBe('TIME')
    expect(time.getAttribute('dateTime')).toBe(text)
    expect(item('at: Date 2020-02-29 23:59:59.999 UTC')).toBeTruthy()
    // The string is never read as a date: shown quoted, whole.
    expect(item(`text: "${text}"`)).toBeTruthy()
    expect(screen.getAllByRole('time')).toHaveLength(1)

    act(() => useSelectionStore.getState().setTimezone('local'))
    expect(screen.queryByText('2020-02-29 23:59:59.999 UTC')).toBeNull()
    expect(screen.getByText(/^20\d\d-\d\d-\d\d \d\d:\d\d:59\.999$/)).toBeTruthy()
  })

  it('tells a BigInt from a string of digits, and shows NaN and Infinity as numbers', () => {
    render(
      <JsonTree
        label="State"
        value={{
          big: { '@': 'bigint', v: '12345678901234567890' },
          digits: '12345678901234567890',
          nan: { '@': 'number', v: 'NaN' },
          inf: { '@': 'number', v: '-Infinity' },
          word: 'NaN',
        }}
      />,
    )
    expect(item('big: 12345678901234567890n')).toBeTruthy()
    expect(item('digits: "12345678901234567890"')).toBeTruthy()
    expect(item('nan: NaN')).toBeTruthy()
    expect(item('inf: -Infinity')).toBeTruthy()
    expect(item('word: "NaN"')).toBeTruthy()
  })

  it("lists both of a Map's entries whose keys print alike, each key with its kind", () => {
    const map: JsonValue = { '@': 'map', entries: { '42': 'string key', '@42': 'number key' } }
    render(<JsonTree label="State" value={{ byKey: map }} />)
    expect(item('byKey: Map { 2 entries }')).toBeTruthy()
    expect(item('"42": "string key"')).toBeTruthy()
    expect(item('42: "number key"')).toBeTruthy()
  })

  it('shows a plain object whose keys look like the encoding as a plain object', () => {
    render(
      <JsonTree
        label="State"
        value={{
          fake: { '@@': 'date', v: '2020-01-01T00:00:00.000Z' },
          money: { '@': 'instance', type: 'shop#Money', fields: { '@@type': 'mine' } },
        }}
      />,
    )
    expect(item('fake: { 2 keys }')).toBeTruthy()
    expect(item('@: "date"')).toBeTruthy()
    expect(item('v: "2020-01-01T00:00:00.000Z"')).toBeTruthy()
    expect(item('money: shop#Money { 1 field }')).toBeTruthy()
    expect(item('@type: "mine"')).toBeTruthy()
    expect(screen.queryByRole('time')).toBeNull()
  })
})
