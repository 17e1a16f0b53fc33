// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { SET_MEMBER } from '../../../shared/displayValue'
import { DiffList, formatPath } from './DiffList'

afterEach(() => {
  cleanup()
})

describe('DiffList', () => {
  it("shows a set's member added or removed under the set, with no position", () => {
    render(
      <DiffList
        label="Changes"
        entries={[
          { path: ['_tags', SET_MEMBER], kind: 'removed', before: 't2' },
          { path: ['_tags', SET_MEMBER], kind: 'added', after: 't9' },
        ]}
      />,
    )
    const rows = within(screen.getByRole('list', { name: 'Changes' })).getAllByRole('listitem')
    expect(rows.map((row) => row.textContent)).toEqual([
      '−removed_tags (member)before: "t2"',
      '+added_tags (member)after: "t9"',
    ])
  })

  it('writes member paths inside maps and lists, and at the root', () => {
    expect(formatPath(['byOwner', 'ada', SET_MEMBER])).toBe('byOwner.ada (member)')
    expect(formatPath(['sets', 0, SET_MEMBER])).toBe('sets[0] (member)')
    expect(formatPath([SET_MEMBER])).toBe('(member)')
  })
})
