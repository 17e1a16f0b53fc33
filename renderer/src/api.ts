/**
 * The renderer's one ExplorerApi. Created lazily on first use so that importing a store never
 * opens a connection; tests swap the instance with `setApi(fake)`.
 */
import type { ExplorerApi } from '../../shared/contract'
import { createApi } from './transport'

let instance: ExplorerApi | null = null

export function getApi(): ExplorerApi {
  instance ??= createApi()
  return instance
}

/** Replaces the instance (tests); `null` goes back to the real transport on next use. */
export function setApi(next: ExplorerApi | null): void {
  instance = next
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
