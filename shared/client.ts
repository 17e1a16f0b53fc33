/**
 * Builds the renderer's ExplorerApi over any transport that can send one request and receive
 * pushed events. Responses are validated here as requests are validated in the main process:
 * neither side trusts the other's bytes.
 */
import type { z } from 'zod'
import {
  Envelope,
  ExplorerError,
  events,
  methodNames,
  methods,
  type EventName,
  type EventOf,
  type ExplorerApi,
  type MethodName,
} from './contract'

export interface Transport {
  /** Sends one request; resolves with the raw envelope the other side returned. */
  invoke(method: MethodName, payload: unknown): Promise<unknown>
  /** Listens to one pushed event; returns the unsubscribe function. */
  on(event: EventName, listener: (payload: unknown) => void): () => void
}

const envelopes = new Map<MethodName, z.ZodType>(
  methodNames.map((name) => [name, Envelope(methods[name].response)]),
)

export function createClient(transport: Transport): ExplorerApi {
  const api: Record<string, unknown> = {}
  for (const name of methodNames) {
    api[name] = async (request: unknown) => {
      const raw = await transport.invoke(name, request ?? {})
      const parsed = envelopes.get(name)!.safeParse(raw)
      if (!parsed.success) {
        throw new ExplorerError({
          code: 'InternalError',
          message: `the main process answered ${name} with an invalid response: ${parsed.error.message}`,
        })
      }
      const envelope = parsed.data as
        { ok: true; value: unknown } | { ok: false; error: ExplorerError['error'] }
      if (!envelope.ok) throw new ExplorerError(envelope.error)
      return envelope.value
    }
  }
  api['subscribe'] = <E extends EventName>(event: E, listener: (payload: EventOf<E>) => void) =>
    transport.on(event, (payload) => {
      const parsed = events[event].safeParse(payload)
      if (parsed.success) listener(parsed.data as EventOf<E>)
      else console.warn(`ignored an invalid '${event}' event`, parsed.error.message)
    })
  return api as ExplorerApi
}
