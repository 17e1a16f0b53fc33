import { describe, expect, test } from 'vitest'
import { checkedText, wholeHistoryText } from './hashChainText'

describe('the hash-chain badge says what was checked, never more', () => {
  test('a load from a snapshot names the snapshot and the events after it', () => {
    expect(
      checkedText({
        status: 'verified',
        checked: { kind: 'snapshotLinked', snapshotVersion: 300, fromVersion: 301, toVersion: 350 },
      }),
    ).toBe('snapshot v300 linked, events v301–v350 verified')
  })

  test('a load from a snapshot at the version shown read no events after it', () => {
    expect(
      checkedText({
        status: 'verified',
        checked: { kind: 'snapshotLinked', snapshotVersion: 9, fromVersion: 10, toVersion: 9 },
      }),
    ).toBe('snapshot v9 linked, no events after it')
  })

  test('a load from creation names the versions it replayed', () => {
    expect(
      checkedText({ status: 'verified', checked: { kind: 'fromCreation', toVersion: 0 } }),
    ).toBe('events v0 verified')
    expect(
      checkedText({ status: 'verified', checked: { kind: 'fromCreation', toVersion: 7 } }),
    ).toBe('events v0–v7 verified')
  })

  test('a whole-history check is shown with its time and range, and only when there was one', () => {
    const chain = {
      status: 'verified' as const,
      wholeHistory: { verifiedAt: '2026-01-02T12:03:00.000Z', toVersion: 350 },
    }
    expect(wholeHistoryText(chain, 'utc')).toBe('whole history verified 12:03 UTC (v0–v350)')
    expect(wholeHistoryText({ status: 'verified' }, 'utc')).toBeUndefined()
  })
})
