/**
 * Builds the renderer's ExplorerApi over any transport that can send one request and receive
 * pushed events. Responses are validated here as requests are validated in the main process:
 * neither side trusts the other's bytes. Zod-free itself: the checks come as a Validator
 * (shared/validation.ts), or as its loader: the renderer loads it in parallel at boot.
 */
import { METHOD_NAMES } from './contractBasics'
import type { EventName, EventOf, ExplorerApi, MethodName } from './contract'

export interface Transport {
  /** Sends one request; resolves with the raw envelope the other side returned. */
  invoke(method: MethodName, payload: unknown): Promise<unknown>
  /** Listens to one pushed event; returns the unsubscribe function. */
  on(event: EventName, listener: (payload: unknown) => void): () => void
}

export interface Validator {
  /** The value of a valid ok envelope; throws ExplorerError for a failed or an invalid one. */
  response(method: MethodName, raw: unknown): unknown
  event<E extends EventName>(
    event: E,
    payload: unknown,
  ): { ok: true; payload: EventOf<E> } | { ok: false; message: string }
}

export function createClient(
  transport: Transport,
  validation: Validator | (() => Promise<Validator>),
): ExplorerApi {
  // Once loaded, events are checked synchronously; before, each waits on the loader's promise
  // (the same one while it is pending), so they still reach listeners in the order they came.
  let ready = typeof validation === 'function' ? null : validation
  const load = (): Promise<Validator> => {
    if (ready) return Promise.resolve(ready)
    if (typeof validation !== 'function') return Promise.resolve(validation)
    const loading = validation()
    loading.then((loaded) => (ready = loaded)).catch(() => {})
    return loading
  }

  const api: Record<string, unknown> = {}
  for (const name of METHOD_NAMES) {
    api[name] = async (request: unknown) => {
      // Sent at once: the answer's round trip overlaps the validator's loading.
      const [raw, check] = await Promise.all([transport.invoke(name, request ?? {}), load()])
      return check.response(name, raw)
    }
  }
  api['subscribe'] = <E extends EventName>(event: E, listener: (payload: EventOf<E>) => void) => {
    // Set off by the unsubscribe: an event still waiting on the validator is not delivered after.
    let active = true
    const deliver = (check: Validator, payload: unknown) => {
      if (!active) return
      const parsed = check.event(event, payload)
      if (parsed.ok) listener(parsed.payload)
      else console.warn(`ignored an invalid '${event}' event`, parsed.message)
    }
    const off = transport.on(event, (payload) => {
      if (ready) deliver(ready, payload)
      else
        load().then(
          (check) => deliver(check, payload),
          (error: unknown) => console.warn(`dropped a '${event}' event`, error),
        )
    })
    return () => {
      active = false
      off()
    }
  }
  return api as ExplorerApi
}
