// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LazyPart } from './LazyPart'
import { lazyWithPreload, nextIdle, whenIdle } from './lazyWithPreload'

afterEach(() => {
  cleanup()
  vi.useRealTimers()
})

const Part = ({ text }: { text: string }) => <p>{text}</p>

describe('lazyWithPreload', () => {
  it('renders a preloaded part at once: no loading status, not even for a render', async () => {
    const load = vi.fn(async () => Part)
    const Lazy = lazyWithPreload(load)
    await Lazy.preload()
    render(
      <LazyPart what="the part">
        <Lazy text="ready" />
      </LazyPart>,
    )
    // Synchronously after render: a suspended part would show its status here.
    expect(screen.queryByRole('status')).toBeNull()
    expect(screen.getByText('ready')).toBeTruthy()
    expect(load).toHaveBeenCalledTimes(1)
    expect(Lazy.isLoaded()).toBe(true)
  })

  it('without a preload, loads on first render behind the loading status', async () => {
    const load = vi.fn(async () => Part)
    const Lazy = lazyWithPreload(load)
    expect(Lazy.isLoaded()).toBe(false)
    render(
      <LazyPart what="the part">
        <Lazy text="later" />
      </LazyPart>,
    )
    expect(screen.getByRole('status').textContent).toBe('Loading the part…')
    expect(await screen.findByText('later')).toBeTruthy()
    // A preload after that fetches nothing again.
    await Lazy.preload()
    expect(load).toHaveBeenCalledTimes(1)
  })

  it('a failed preload is not kept: the next attempt loads the chunk', async () => {
    const load = vi
      .fn<() => Promise<typeof Part>>()
      .mockRejectedValueOnce(new Error('Failed to fetch dynamically imported module'))
      .mockResolvedValue(Part)
    const Lazy = lazyWithPreload(load)
    await expect(Lazy.preload()).rejects.toThrow('Failed to fetch')
    await Lazy.preload()
    render(<Lazy text="second try" />)
    expect(screen.getByText('second try')).toBeTruthy()
    expect(load).toHaveBeenCalledTimes(2)
  })
})

describe('whenIdle', () => {
  it('runs the work after the delay, and not at all once cancelled', async () => {
    vi.useFakeTimers()
    const work = vi.fn()
    whenIdle(work, 500)
    const cancelled = vi.fn()
    const cancel = whenIdle(cancelled, 500)
    cancel()
    await act(async () => vi.advanceTimersByTime(499))
    expect(work).not.toHaveBeenCalled()
    // jsdom has no requestIdleCallback: the work runs when the delay ends.
    await act(async () => vi.advanceTimersByTime(1))
    expect(work).toHaveBeenCalledTimes(1)
    expect(cancelled).not.toHaveBeenCalled()
  })

  it('nextIdle resolves in the next idle period (a macrotask where there is no idle callback)', async () => {
    let resolved = false
    const idle = nextIdle().then(() => (resolved = true))
    await Promise.resolve()
    expect(resolved).toBe(false)
    await idle
    expect(resolved).toBe(true)
  })
})
