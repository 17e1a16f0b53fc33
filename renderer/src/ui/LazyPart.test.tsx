// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { lazy } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LazyPart } from './LazyPart'
import { lazyWithPreload } from './lazyWithPreload'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

/** A lazy component whose chunk arrives (or fails) when the test says so. */
function controlledChunk() {
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined
  const Part = lazy(
    () =>
      new Promise<{ default: () => React.JSX.Element }>((resolve, reject) => {
        settle = {
          resolve: () => resolve({ default: () => <p>The timeline itself</p> }),
          reject,
        }
      }),
  )
  return { Part, settle: () => settle! }
}

describe('LazyPart', () => {
  it('says what is loading as a status, then shows the part', async () => {
    const { Part, settle } = controlledChunk()
    render(
      <LazyPart what="the timeline">
        <Part />
      </LazyPart>,
    )
    expect(screen.getByRole('status').textContent).toBe('Loading the timeline…')
    await act(async () => settle().resolve())
    expect(screen.getByText('The timeline itself')).toBeTruthy()
    expect(screen.queryByRole('status')).toBeNull()
  })

  it('turns a chunk that never arrives into an alert with a reload, not a blank app', async () => {
    // React reports the caught error on the console; expected here.
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const { Part, settle } = controlledChunk()
    render(
      <div>
        <p>The rest of the app</p>
        <LazyPart what="the timeline">
          <Part />
        </LazyPart>
      </div>,
    )
    await act(async () => settle().reject(new Error('Failed to fetch dynamically imported module')))
    expect(screen.getByRole('alert').textContent).toContain('Could not load the timeline.')
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy()
    expect(screen.getByText('The rest of the app')).toBeTruthy()
  })

  it('Try again loads a part made with lazyWithPreload once the server is back, without a reload', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const load = vi
      .fn<() => Promise<() => React.JSX.Element>>()
      .mockRejectedValueOnce(new Error('Failed to fetch dynamically imported module'))
      .mockResolvedValue(() => <p>The timeline itself</p>)
    const Part = lazyWithPreload(load)
    render(
      <LazyPart what="the timeline">
        <Part />
      </LazyPart>,
    )
    expect((await screen.findByRole('alert')).textContent).toContain('Could not load the timeline.')
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Try again' })))
    expect(await screen.findByText('The timeline itself')).toBeTruthy()
    expect(screen.queryByRole('alert')).toBeNull()
    expect(load).toHaveBeenCalledTimes(2)
  })
})
