import { z } from 'zod'
import {
  isMethodName,
  methods,
  type ApiError,
  type ExplorerHandlers,
  type MethodName,
} from '../../shared/contract'
import {
  AggregateNotFound,
  ConcurrencyError,
  ConfigurationError,
  DataIntegrityError,
  DomainError,
  EntityIsDiscarded,
  EventSourcingError,
  InvalidCommand,
  StoreUnavailable,
  TopicNotFound,
  WriteRefused,
} from '../eventsourcing'

export type EnvelopeValue = { ok: true; value: unknown } | { ok: false; error: ApiError }

/** Errors a handler raises on purpose with a code the UI understands. */
export class ApiFailure extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.message)
  }
}

/**
 * Validates a request for `method`, runs its handler, and returns the envelope. Never throws:
 * every failure becomes a typed error value. Both transports call this and nothing else.
 */
export async function dispatch(
  handlers: ExplorerHandlers,
  method: unknown,
  payload: unknown,
): Promise<EnvelopeValue> {
  if (!isMethodName(method)) {
    return {
      ok: false,
      error: {
        code: 'ValidationError',
        message: `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`,
      },
    }
  }
  const parsed = methods[method].request.safeParse(payload)
  if (!parsed.success) {
    return {
      ok: false,
      error: {
        code: 'ValidationError',
        message: `invalid ${method} request: ${z.prettifyError(parsed.error)}`,
        details: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
      },
    }
  }
  try {
    const handler = handlers[method] as (request: unknown) => Promise<unknown>
    const value = await handler.call(handlers, parsed.data)
    return { ok: true, value }
  } catch (error) {
    return { ok: false, error: toApiError(error, method) }
  }
}

export function toApiError(error: unknown, method?: MethodName): ApiError {
  if (error instanceof ApiFailure) return error.apiError
  if (error instanceof ConcurrencyError) {
    return { code: 'ConcurrencyError', message: error.message, details: error.details }
  }
  if (error instanceof AggregateNotFound) {
    return {
      code: 'AggregateNotFound',
      message: error.message,
      details: { id: error.originatorId, reason: error.reason },
    }
  }
  if (error instanceof DataIntegrityError || error instanceof TopicNotFound) {
    return {
      code: 'DataIntegrityError',
      message: error.message,
      details: error instanceof DataIntegrityError ? error.details : { topic: error.topic },
    }
  }
  // A command's own refusals: the rule that refused, the parameter that is wrong.
  if (error instanceof DomainError) {
    return {
      code: 'DomainError',
      message: error.message,
      ...(error.rule === undefined ? {} : { details: { rule: error.rule } }),
    }
  }
  if (error instanceof InvalidCommand) {
    return {
      code: 'ValidationError',
      message: error.message,
      ...(error.parameter === undefined ? {} : { details: { parameter: error.parameter } }),
    }
  }
  if (error instanceof EntityIsDiscarded) {
    return {
      code: 'AggregateNotFound',
      message: error.message,
      details: { id: error.originatorId, reason: 'discarded' },
    }
  }
  if (error instanceof WriteRefused) {
    return { code: 'ReadOnly', message: error.message, details: { reason: error.reason } }
  }
  if (error instanceof StoreUnavailable) return { code: 'StoreUnavailable', message: error.message }
  if (error instanceof ConfigurationError)
    return { code: 'ValidationError', message: error.message }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'Cancelled')) {
    return { code: 'Cancelled', message: 'the task was cancelled' }
  }
  if (error instanceof EventSourcingError) return { code: 'InternalError', message: error.message }
  const message = error instanceof Error ? error.message : String(error)
  return { code: 'InternalError', message: method ? `${method} failed: ${message}` : message }
}
