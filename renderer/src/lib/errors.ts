import { ExplorerError, type ErrorCode } from '../../../shared/contract'
import { plainMessage } from './errorText'

export interface UiError {
  code: ErrorCode | 'TransportError'
  message: string
  details?: unknown
}

/** Turns anything thrown by the API (or the transport under it) into something we can show. */
export function toUiError(error: unknown): UiError {
  if (error instanceof ExplorerError)
    return {
      code: error.code,
      message: plainMessage(error.code, error.message, error.error.details),
      details: error.error.details,
    }
  if (error instanceof Error) return { code: 'TransportError', message: error.message }
  return { code: 'TransportError', message: String(error) }
}

/** A sentence for a user, keyed on the typed error code. */
export function explainError(error: UiError): string {
  switch (error.code) {
    case 'StoreUnavailable':
      return 'The event store cannot be reached.'
    case 'NotConnected':
      return 'No event store is connected.'
    case 'AggregateNotFound':
      return 'This aggregate does not exist (or no longer exists).'
    case 'DataIntegrityError':
      return 'Stored data failed an integrity check (damaged ciphertext, wrong key or broken hash chain).'
    case 'ConcurrencyError':
      return 'Someone else saved this aggregate first.'
    case 'ValidationError':
      return 'The request was rejected as invalid.'
    case 'ReadOnly':
      return 'This connection is read-only: nothing was written.'
    case 'Cancelled':
      return 'The operation was cancelled.'
    case 'TransportError':
      return 'The Eventscope service cannot be reached.'
    default:
      return 'Something went wrong.'
  }
}
