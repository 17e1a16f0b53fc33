import { describeError, errorHint } from '../lib/errorText'
import './feature.css'
import { visible } from './VisibleText'

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
  const hint = errorHint(described.code)
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
