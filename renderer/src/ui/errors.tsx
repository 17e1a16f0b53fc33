/**
 * How a failed call is shown, in one module: reading what was thrown (toUiError, describeError),
 * the words for it (titles, hints, a conflict sentence), and the alert that shows it.
 */
import type { ApiError, ConcurrencyDetails, ErrorCode } from '../../../shared/contract'
import { ExplorerError } from '../../../shared/contractBasics'
import './feature.css'
import { visible } from './VisibleText'

/** What the UI needs to explain a failed call: a code, a headline and the server's message. */
export interface DescribedError {
  code: ErrorCode | 'Unknown'
  title: string
  message: string
  details?: unknown
}

const titles: Record<ErrorCode | 'Unknown', string> = {
  ConcurrencyError: 'Someone else saved first',
  AggregateNotFound: 'Aggregate not found',
  DataIntegrityError: 'Stored data failed an integrity check',
  ValidationError: 'The request was rejected',
  StoreUnavailable: 'The event store is unavailable',
  NotConnected: 'Not connected to an event store',
  ReadOnly: 'This connection is read-only',
  DomainError: 'The aggregate refused the command',
  Cancelled: 'Cancelled',
  InternalError: 'Something went wrong',
  Unknown: 'Something went wrong',
}

const hints: Partial<Record<ErrorCode, string>> = {
  ConcurrencyError:
    'Your changes were loaded from an older version. Reload (drop or refresh) and apply them again.',
  AggregateNotFound: 'It may have been discarded; its history stays readable.',
  StoreUnavailable: 'Check the connection and try again.',
  NotConnected: 'Connect to a store first.',
  ReadOnly: 'Nothing was written. The connection screen says why and how to make it writable.',
}

/**
 * Whether an AggregateNotFound is about an aggregate that exists but is discarded (the server
 * says so in details.reason): its history is there, so "not found" would mislead.
 */
function isDiscarded(code: string, details: unknown): boolean {
  return (
    code === 'AggregateNotFound' &&
    (details as { reason?: unknown } | null | undefined)?.reason === 'discarded'
  )
}

/**
 * A ValidationError's words for a user: its issues' own messages, one per sentence, rather than
 * the server's summary in the validator's syntax ("invalid setCipherKey request: ✖ … → at
 * keyBase64"), which names methods and fields the user never saw.
 */
export function plainMessage(code: string, message: string, details: unknown): string {
  if (code !== 'ValidationError' || !Array.isArray(details)) return message
  const texts = details
    .map((issue: unknown) => (issue as { message?: unknown } | null)?.message)
    .filter((text): text is string => typeof text === 'string' && text !== '')
  if (texts.length === 0) return message
  return [...new Set(texts)].map((text) => text.charAt(0).toUpperCase() + text.slice(1)).join(' ')
}

/** Reads an ExplorerError (or anything thrown) without relying on `instanceof` across bundles. */
export function describeError(error: unknown): DescribedError {
  const apiError = (error as { error?: Partial<ApiError> } | null)?.error
  const code = apiError?.code ?? (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && code in titles) {
    const known = code as ErrorCode
    return {
      code: known,
      title: isDiscarded(known, apiError?.details) ? 'Aggregate is discarded' : titles[known],
      message: plainMessage(
        known,
        apiError?.message ?? (error instanceof Error ? error.message : String(error)),
        apiError?.details,
      ),
      details: apiError?.details,
    }
  }
  return {
    code: 'Unknown',
    title: titles.Unknown,
    message: error instanceof Error ? error.message : String(error),
  }
}

export function errorHint(code: DescribedError['code'], details?: unknown): string | undefined {
  if (isDiscarded(code, details)) return 'Its history stays readable; it takes no more commands.'
  return code === 'Unknown' ? undefined : hints[code]
}

export function isConcurrencyError(error: unknown): boolean {
  return describeError(error).code === 'ConcurrencyError'
}

/** The ConcurrencyDetails of a ConcurrencyError, when the server sent them in the expected shape. */
export function concurrencyDetails(error: unknown): ConcurrencyDetails | undefined {
  const described = describeError(error)
  if (described.code !== 'ConcurrencyError') return undefined
  const details = described.details as Partial<ConcurrencyDetails> | undefined
  if (
    !details ||
    typeof details.expectedVersion !== 'number' ||
    typeof details.actualVersion !== 'number'
  )
    return undefined
  return {
    aggregateId: details.aggregateId ?? '',
    expectedVersion: details.expectedVersion,
    actualVersion: details.actualVersion,
    winningEvents: Array.isArray(details.winningEvents) ? details.winningEvents : [],
  }
}

/**
 * A ConcurrencyError as what happened. The store's "expected" version is the first one the
 * refused batch would have written, so it reads as "expected to be free", next to how far the
 * store already is; "expected 4 / actual 4" read as a contradiction.
 */
export function conflictSentence(who: string, details: ConcurrencyDetails): string {
  return (
    `${who} expected version ${details.expectedVersion} to be free; the store already holds ` +
    `versions up to ${details.actualVersion} (written by another client)`
  )
}

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
      return isDiscarded(error.code, error.details)
        ? 'This aggregate is discarded.'
        : 'This aggregate does not exist (or no longer exists).'
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

/** A failed call explained by its error code; role=alert so it is announced. */
export function ErrorAlert({
  error,
  context,
  onDismiss,
}: {
  error: unknown
  context?: string
  onDismiss?: () => void
}) {
  const described = describeError(error)
  const hint = errorHint(described.code, described.details)
  return (
    <div role="alert" className="feature-alert feature-alert--error">
      <p className="feature-alert__title">
        <span aria-hidden="true" className="feature-alert__icon">
          ⚠
        </span>{' '}
        {context ? `${context}: ` : ''}
        {described.title}
        {described.code !== 'Unknown' && (
          <code className="feature-alert__code">{described.code}</code>
        )}
      </p>
      <p className="feature-alert__message">{visible(described.message)}</p>
      {hint && <p className="feature-alert__hint">{hint}</p>}
      {onDismiss && (
        <button type="button" className="btn btn-ghost btn-sm" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  )
}
