// @vitest-environment jsdom
/**
 * The state tab's tree over a cut state (issue 10): what the answer holds shows at once, the
 * rest is asked for (getStateChildren) as the user shows more, and user data that looks like a
 * marker or a path shows as the data it is.
 */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { AggregateView } from '../../../../shared/contract'
import type { JsonValue } from '../../../../shared/contract'
import { childrenPage, pageState, STRING_SHOWN_MAX } from '../../../../shared/statePages'
import { aggregateView, createFakeApi } from '../../testing/fakeApi'
import { renderWithQueries } from '../../testing/render'
import { treeRow } from '../../testing/treeRows'
import { PagedState } from './PagedState'

const A = '00000000-0000-4000-8000-000000000001'

afterEach(cleanup)

const examples = Object.fromEntries(
  Array.from({ length: 750 }, (_, i) => [`e${i}`, { id: `e${i}`, n: i }]),
)

/** A fake server over `whole`: answers cut as the real one cuts them. */
function serve(whole: JsonValue) {
  const api = createFakeApi()
  api.getStateChildren.mockImplementation(async ({ path, offset, limit }) => {
    const page = childrenPage(whole, path, offset, limit ?? 100)
    if (!page) throw new Error('no container there')
    return page
  })
  const { state, omitted, shortened } = pageState(whole)
  const view = { ...aggregateView(A, 5), state, stateOmitted: omitted, stateShortened: shortened }
  return { api, view }
}

const item = (name: RegExp) => screen.getByRole('treeitem', { name })
const row = treeRow

describe('PagedState', () => {
  it('shows the children the answer holds, and asks for the rest as more are shown', async () => {
    const { api, view } = serve({ foo: 'bar', examples })
    renderWithQueries(<PagedState view={view} />, { api })

    // The container reads its real size; long containers start closed.
    fireEvent.click(item(/^examples : \{ 750 keys \}$/))
    expect(row('e99: { 2 keys }')).toBeTruthy()
    expect(() => row('e100: { 2 keys }')).toThrow()
    expect(api.getStateChildren).not.toHaveBeenCalled()

    fireEvent.click(row('Show 500 more of 650 hidden'))
    expect(row('Loading 500 more…')).toBeTruthy()
    await waitFor(() => expect(row('e599: { 2 keys }')).toBeTruthy())
    expect(api.getStateChildren).toHaveBeenCalledWith({
      id: A,
      at: 5,
      path: ['examples'],
      offset: 100,
      limit: 500,
    })
    expect(row('Show 150 more of 150 hidden')).toBeTruthy()
    // A child of a loaded page opens as any other.
    fireEvent.click(row('e512: { 2 keys }'))
    expect(row('n: 512')).toBeTruthy()

    fireEvent.click(row('Show 150 more of 150 hidden'))
    await waitFor(() => expect(row('e749: { 2 keys }')).toBeTruthy())
    expect(screen.queryByText(/^Show .* more/)).toBeNull()
    expect(api.getStateChildren).toHaveBeenCalledTimes(2)
  })

  it("asks for a version's pages once the version has rested on screen, not while scrubbing", async () => {
    const { api, view } = serve({
      examples: Object.fromEntries(Object.entries(examples).slice(0, 250)),
    })
    function Scrubbing() {
      const [version, setVersion] = useState(5)
      const shown: AggregateView = { ...view, version, latestVersion: 9 }
      return (
        <>
          <button onClick={() => setVersion((v) => v + 1)}>Next version</button>
          <PagedState view={shown} />
        </>
      )
    }
    renderWithQueries(<Scrubbing />, { api })
    fireEvent.click(item(/^examples : \{ 250 keys \}$/))
    fireEvent.click(row('Show 150 more of 150 hidden'))
    await waitFor(() => expect(row('e249: { 2 keys }')).toBeTruthy())

    // Three steps in a row: the container stays open further, its rows load for the last.
    for (let i = 0; i < 3; i++)
      fireEvent.click(screen.getByRole('button', { name: 'Next version' }))
    expect(row('Loading 150 more…')).toBeTruthy()
    await waitFor(() => expect(row('e249: { 2 keys }')).toBeTruthy())
    expect(api.getStateChildren.mock.calls.map(([r]) => r.at)).toEqual([5, 8])
  })

  it('shows user data that looks like a marker or a path as data', () => {
    const hostile = JSON.parse(
      JSON.stringify({
        stateOmitted: [{ path: ['x'], kind: 'object', shown: 0, total: 999 }],
        'a/b': 'slash key',
        a: { b: 'nested b' },
        '…more': 'a key',
        x: { y: 1 },
        p: 0,
      }).replace('"p":0', '"__proto__":{"polluted":true}'),
    ) as JsonValue
    const { api, view } = serve(hostile)
    expect(view.stateOmitted).toEqual([])
    renderWithQueries(<PagedState view={view} />, { api })

    expect(item(/^stateOmitted : \[ 1 item \]$/)).toBeTruthy()
    expect(item(/^a\/b : "slash key"$/)).toBeTruthy()
    expect(item(/^b : "nested b"$/)).toBeTruthy()
    expect(item(/^…more : "a key"$/)).toBeTruthy()
    expect(item(/^x : \{ 1 key \}$/)).toBeTruthy()
    expect(item(/^__proto__ : \{ 1 key \}$/)).toBeTruthy()
    expect(item(/^polluted : true$/)).toBeTruthy()
    expect(screen.queryByRole('treeitem', { name: /^(Show|Loading)/ })).toBeNull()
    expect(api.getStateChildren).not.toHaveBeenCalled()
  })

  it('says how long a shortened string is, in the answer and in a page', async () => {
    const long = 'n'.repeat(STRING_SHOWN_MAX + 5)
    const list = Array.from({ length: 150 }, (_, i) => (i === 120 ? long : i))
    const { api, view } = serve({ note: long, list })
    renderWithQueries(<PagedState view={view} />, { api })
    const ends = (tail: string) =>
      [...document.querySelectorAll('[role="treeitem"]')].filter((e) =>
        e.textContent?.endsWith(tail),
      )

    const marker = `(the first 10,000 of ${long.length.toLocaleString('en-US')} characters)`
    expect(ends(marker).map((e) => e.textContent?.slice(0, 8))).toEqual(['note: "n'])
    fireEvent.click(item(/^list : \[ 150 items \]$/))
    fireEvent.click(row('Show 50 more of 50 hidden'))
    await waitFor(() => expect(ends(marker)).toHaveLength(2))
    expect(ends(marker)[1]!.textContent?.startsWith('120: "nnn')).toBe(true)
  })
})
