// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { DiffList } from './DiffList'
import { JsonTree } from './JsonTree'
import { VisibleText } from './VisibleText'

const RLO = '\u202E'
const EVIL = `${RLO}live` // shown as stored, this reads "evil"

afterEach(cleanup)

describe('VisibleText', () => {
  it('shows a right-to-left override as a marker a screen reader names, and never puts the override itself on screen', () => {
    const { container } = render(
      <p>
        <VisibleText text={`name: ${EVIL}`} />
      </p>,
    )

    const marker = screen.getByRole('img', {
      name: 'hidden character: right-to-left override, U+202E',
    })
    expect(marker.textContent).toBe('⟨U+202E⟩')
    expect(container.textContent).toBe('name: ⟨U+202E⟩live')
    expect(container.innerHTML).not.toContain(RLO)
  })

  it('leaves ordinary text as a plain text node', () => {
    const { container } = render(
      <p>
        <VisibleText text="שלום and café" />
      </p>,
    )

    expect(container.querySelector('p')!.childNodes).toHaveLength(1)
    expect(container.textContent).toBe('שלום and café')
  })
})

describe('where stored text reaches the screen', () => {
  it('the state tree marks the override in keys and values', () => {
    render(<JsonTree label="State" value={{ [`k${RLO}ey`]: EVIL }} />)

    const tree = screen.getByRole('tree', { name: 'State' })
    expect(within(tree).getAllByRole('img', { name: /right-to-left override/ })).toHaveLength(2)
    expect(tree.innerHTML).not.toContain(RLO)
  })

  it('a diff marks the override in the path and both values', () => {
    render(
      <DiffList
        label="Changes"
        entries={[{ path: [`f${RLO}oo`], kind: 'changed', before: 'evil', after: EVIL }]}
      />,
    )

    const list = screen.getByRole('list', { name: 'Changes' })
    expect(within(list).getAllByRole('img', { name: /U\+202E/ })).toHaveLength(2)
    expect(list.textContent).toContain('"⟨U+202E⟩live"')
    expect(list.innerHTML).not.toContain(RLO)
  })
})
