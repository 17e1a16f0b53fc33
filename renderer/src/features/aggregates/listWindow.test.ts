import { describe, expect, it } from 'vitest'
import {
  PAGING_REACH,
  keyTarget,
  listWindow,
  pagingAction,
  withinReach,
  type WindowInput,
} from './listWindow'

const input = (over: Partial<WindowInput>): WindowInput => ({
  loaded: 100,
  total: 100_000,
  anchor: 'start',
  filtered: false,
  hasBefore: false,
  hasAfter: true,
  ...over,
})
const both = (over: Partial<WindowInput>) => {
  const i = input(over)
  return { ...i, ...listWindow(i) }
}

describe('listWindow: where the loaded rows sit', () => {
  it('unfiltered, the whole list is the scroll range: read from the start, rows start at 0', () => {
    expect(listWindow(input({}))).toEqual({
      offset: 0,
      count: 100_000,
      setSize: 100_000,
      positioned: true,
    })
  })

  it('read from the end, the rows are the last positions', () => {
    const w = listWindow(input({ anchor: 'end', hasBefore: true, hasAfter: false, loaded: 300 }))
    expect(w).toEqual({ offset: 99_700, count: 100_000, setSize: 100_000, positioned: true })
  })

  it('everything loaded: the rows are the list, whatever the total said', () => {
    expect(listWindow(input({ hasAfter: false, loaded: 42, total: 40 }))).toEqual({
      offset: 0,
      count: 42,
      setSize: 42,
      positioned: true,
    })
  })

  it('filtered, the size is unknown: one loader row per unloaded side, positions only from the start', () => {
    expect(listWindow(input({ filtered: true }))).toEqual({
      offset: 0,
      count: 101,
      setSize: -1,
      positioned: true,
    })
    expect(
      listWindow(input({ filtered: true, anchor: 'end', hasBefore: true, hasAfter: false })),
    ).toEqual({ offset: 1, count: 101, setSize: -1, positioned: false })
  })

  it('not counted yet (a store that counts apart), the size is unknown too: loader rows, no setsize', () => {
    expect(listWindow(input({ total: undefined }))).toEqual({
      offset: 0,
      count: 101,
      setSize: -1,
      positioned: true,
    })
    expect(pagingAction({ first: 90, last: 100 }, both({ total: undefined }))).toBe('next')
  })
})

describe('pagingAction: what the rows in view need', () => {
  it('near the loaded edge: the next page, or from the end the previous one', () => {
    expect(pagingAction({ first: 70, last: 95 }, both({}))).toBe('next')
    expect(pagingAction({ first: 10, last: 50 }, both({}))).toBeNull()
    const end = both({ anchor: 'end', hasBefore: true, hasAfter: false })
    expect(pagingAction({ first: 99_905, last: 99_930 }, end)).toBe('previous')
    expect(pagingAction({ first: 99_950, last: 99_999 }, end)).toBeNull()
  })

  it('a jump near the other end reads the list from that end', () => {
    expect(pagingAction({ first: 99_000, last: 99_030 }, both({}))).toBe('fromEnd')
    const end = both({ anchor: 'end', hasBefore: true, hasAfter: false })
    expect(pagingAction({ first: 500, last: 530 }, end)).toBe('fromStart')
  })

  it('placeholders within reach load by paging; the middle of a long list waits', () => {
    expect(pagingAction({ first: 1500, last: 1530 }, both({}))).toBe('next')
    expect(pagingAction({ first: 40_000, last: 40_030 }, both({}))).toBeNull()
    expect(withinReach(100 + PAGING_REACH, both({}))).toBe(true)
    expect(withinReach(40_000, both({}))).toBe(false)
    expect(withinReach(99_000, both({}))).toBe(true)
  })

  it('a filtered list always pages on: its loader row is next to the rows', () => {
    expect(pagingAction({ first: 90, last: 100 }, both({ filtered: true }))).toBe('next')
  })
})

describe('keyTarget', () => {
  it('moves within the whole list and stays inside it', () => {
    expect(keyTarget('ArrowDown', 5, 10, 3)).toBe(6)
    expect(keyTarget('ArrowUp', 0, 10, 3)).toBe(0)
    expect(keyTarget('PageDown', 8, 10, 3)).toBe(9)
    expect(keyTarget('PageUp', 2, 10, 3)).toBe(0)
    expect(keyTarget('a', 2, 10, 3)).toBeUndefined()
  })
})
