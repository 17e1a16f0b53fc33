import type { ConcurrencyDetails } from '../../../shared/contract'
import { describeEvent } from '../lib/eventSummary'
import { concurrencyDetails, conflictSentence, describeError } from './errors'
import './feature.css'
import './concurrency.css'
import { visible } from './VisibleText'

/**
 * A ConcurrencyError told as what happened: which version the loser expected to be free, how
 * far the store already is, and the events that won. role=alert so it is announced.
 */
export function ConcurrencyExplanation({
  error,
  title,
  who,
  fix,
}: {
  error: unknown
  title: string
  who: string
  fix: string
}) {
  const details: ConcurrencyDetails | undefined = concurrencyDetails(error)
  const described = describeError(error)
  return (
    <div role="alert" className="feature-alert feature-alert--error concurrency">
      <p className="feature-alert__title">
        <span aria-hidden="true" className="feature-alert__icon">
          ⚠
        </span>{' '}
        {title} <code className="feature-alert__code">ConcurrencyError</code>
      </p>
      {details ? (
        <>
          <p className="feature-alert__message">
            {conflictSentence(who, details)}: the whole batch was refused (nothing of it was
            stored).
          </p>
          <dl className="concurrency__versions">
            <div>
              <dt>Expected to be free</dt>
              <dd>version {details.expectedVersion}</dd>
            </div>
            <div>
              <dt>Already stored</dt>
              <dd>up to version {details.actualVersion}</dd>
            </div>
          </dl>
          {details.winningEvents.length > 0 && (
            <>
              <p className="concurrency__winners-title">
                The{' '}
                {details.winningEvents.length === 1
                  ? 'event that won'
                  : `${details.winningEvents.length} events that won`}
                :
              </p>
              <ul className="concurrency__winners" aria-label="Winning events">
                {details.winningEvents.map((event) => (
                  <li key={event.version}>
                    <span className="concurrency__version">v{event.version}</span>{' '}
                    {visible(event.type)}
                    <span className="muted"> — {visible(describeEvent(event))}</span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      ) : (
        <p className="feature-alert__message">{described.message}</p>
      )}
      <p className="feature-alert__hint">{fix}</p>
    </div>
  )
}
