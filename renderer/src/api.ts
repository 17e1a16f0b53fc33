/**
 * The renderer's one ExplorerApi. Created lazily on first use so that importing a store never
 * opens a connection; tests swap the instance with `setApi(fake)`.
 */
import { createStore } from 'zustand'
import type { ExplorerApi } from '../../shared/contract'
import { createApi } from './transport'

/** The instance in use, once made: held in a store rather than a module variable. */
const current = createStore<{ instance: ExplorerApi | null }>()(() => ({ instance: null }))

export function getApi(): ExplorerApi {
  const { instance } = current.getState()
  if (instance) return instance
  const made = createApi()
  current.setState({ instance: made })
  return made
}

/** Replaces the instance (tests); `null` goes back to the real transport on next use. */
export function setApi(next: ExplorerApi | null): void {
  current.setState({ instance: next })
}

export const api: ExplorerApi = new Proxy({} as ExplorerApi, {
  get(_target, key) {
    const target = getApi()
    const value: unknown = Reflect.get(target, key)
    return typeof value === 'function'
      ? (value as (...args: unknown[]) => unknown).bind(target)
      : value
  },
})
