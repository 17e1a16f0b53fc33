// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { useSelectionStore } from './selectionStore'

const store = () => useSelectionStore.getState()

beforeEach(() => {
  localStorage.clear()
  store().reset()
})

describe('selectionStore', () => {
  it('selecting an aggregate follows its latest version', () => {
    store().select('a')
    store().setVersion(3)
    store().select('b')
    expect(store()).toMatchObject({ aggregateId: 'b', version: null })
  })

  it('re-selecting the same aggregate keeps the scrubbed version', () => {
    store().select('a')
    store().setVersion(3)
    store().select('a')
    expect(store().version).toBe(3)
  })

  it('clamps scrubbed versions, and the latest means "follow the latest"', () => {
    store().setVersionWithin(2, 7)
    expect(store().version).toBe(2)
    store().setVersionWithin(-4, 7)
    expect(store().version).toBe(0)
    store().setVersionWithin(7, 7)
    expect(store().version).toBeNull()
    store().setVersionWithin(99, 7)
    expect(store().version).toBeNull()
  })

  it('remembers the time zone mode', () => {
    expect(store().timezone).toBe('local')
    store().setTimezone('utc')
    expect(localStorage.getItem('eventscope.timezone')).toBe('utc')
    store().reset()
    expect(store().timezone).toBe('utc')
  })

  it('switches tabs and resets', () => {
    store().setTab('timeline')
    store().select('a')
    expect(store().tab).toBe('timeline')
    store().reset()
    expect(store()).toMatchObject({ aggregateId: null, version: null, tab: 'state' })
  })
})
