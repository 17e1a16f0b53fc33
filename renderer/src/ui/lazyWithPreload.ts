/**
 * React.lazy with a `preload()` that fetches the chunk ahead of its first render.
 *
 * Why not plain lazy plus an early import(): a lazy component that suspends shows its Suspense
 * fallback, and React then reveals the content no sooner than 300 ms after that fallback
 * appeared (its fallback throttle), however fast the chunk arrives. Opening the first aggregate
 * of a page waited about 260 ms with nothing left to do before its view, and so before its
 * first request, was mounted. Once preloaded, this component renders without suspending: its
 * loader then answers with a thenable that calls back at once, which React.lazy takes as
 * already resolved.
 */
import {
  createContext,
  createElement,
  lazy,
  useContext,
  type ComponentType,
  type LazyExoticComponent,
} from 'react'

export type PreloadableComponent<P> = ComponentType<P> & {
  /** Fetches and evaluates the chunk; resolves once a render would not suspend. */
  preload(): Promise<void>
  /** Whether a render would not suspend (the chunk has loaded). */
  isLoaded(): boolean
}

export function lazyWithPreload<P>(load: () => Promise<ComponentType<P>>): PreloadableComponent<P> {
  let loaded: ComponentType<P> | undefined
  let loading: Promise<ComponentType<P>> | undefined
  const fetchChunk = (): Promise<ComponentType<P>> =>
    (loading ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        // A later attempt (the render's own, a retry) may succeed: a server briefly away.
        loading = undefined
        failedIn = renderedIn
        throw error
      },
    ))
  const makeLazy = (): LazyExoticComponent<ComponentType<P>> =>
    lazy(() =>
      loaded !== undefined
        ? resolvedNow({ default: loaded })
        : fetchChunk().then((c) => ({ default: c })),
    )
  let current = makeLazy()
  // React.lazy keeps a failure for good: a render in a later attempt of its boundary (LazyPart's
  // Try again) takes a fresh one, which loads again; not one in the same attempt, which would
  // retry at once, again and again while the server is away.
  let failedIn: number | undefined
  let renderedIn = 0
  const Part = (props: P) => {
    const attempt = useContext(PartAttempt)
    if (failedIn !== undefined && failedIn !== attempt) {
      failedIn = undefined
      current = makeLazy()
    }
    renderedIn = attempt
    return createElement(
      current as ComponentType<Record<string, unknown>>,
      props as Record<string, unknown>,
    )
  }
  return Object.assign(Part, {
    preload: () => fetchChunk().then(() => undefined),
    isLoaded: () => loaded !== undefined,
  })
}

/** Which attempt of its boundary a part renders in (LazyPart counts them): a new one retries. */
export const PartAttempt = createContext(0)

/** A thenable that calls its callback at once (React.lazy reads it as settled, no suspense). */
function resolvedNow<T>(value: T): Promise<T> {
  const thenable = {
    then(onFulfilled?: (value: T) => unknown) {
      onFulfilled?.(value)
      return thenable
    },
  }
  return thenable as unknown as Promise<T>
}

/**
 * Runs `work` when the page is idle, no sooner than `delayMs` from now (so it does not compete
 * with what the first paint and the first list page need); returns a cancel.
 */
export function whenIdle(work: () => void, delayMs: number): () => void {
  let cancelIdle = () => {}
  const timer = setTimeout(() => {
    // Without idle callbacks the delay is the turn it waits for.
    if (typeof requestIdleCallback === 'function') cancelIdle = onIdle(work)
    else work()
  }, delayMs)
  return () => {
    clearTimeout(timer)
    cancelIdle()
  }
}

/** Resolves in the page's next idle period: one preload per idle period, not a burst. */
export function nextIdle(): Promise<void> {
  return new Promise((resolve) => void onIdle(resolve))
}

/**
 * `work` in the page's next idle period (within IDLE_TIMEOUT_MS however busy the page is; a
 * macrotask where there is no requestIdleCallback, as in jsdom); returns a cancel.
 */
function onIdle(work: () => void): () => void {
  if (typeof requestIdleCallback !== 'function') {
    const timer = setTimeout(work, 0)
    return () => clearTimeout(timer)
  }
  const handle = requestIdleCallback(() => work(), { timeout: IDLE_TIMEOUT_MS })
  return () => cancelIdleCallback(handle)
}

/** Preloading is not urgent, but a page that is never idle still gets it within this. */
const IDLE_TIMEOUT_MS = 2000
