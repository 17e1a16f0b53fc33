/**
 * The client's checks on what the other side sends, from the contract's zod schemas: kept apart
 * from shared/client.ts so the renderer can load zod and the schemas in their own chunk.
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
  type MethodName,
} from './contract'
import type { Validator } from './client'

const envelopes = new Map<MethodName, z.ZodType>(
  methodNames.map((name) => [name, Envelope(methods[name].response)]),
)

export const validator: Validator = {
  response(name, raw) {
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
  },
  event<E extends EventName>(name: E, payload: unknown) {
    const parsed = events[name].safeParse(payload)
    // zod's output for events[E] is EventOf<E>; TypeScript cannot see it through the index.
    if (parsed.success) return { ok: true as const, payload: parsed.data as EventOf<E> }
    return { ok: false as const, message: parsed.error.message }
  },
}
