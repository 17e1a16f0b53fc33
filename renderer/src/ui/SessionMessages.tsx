/**
 * The alerts of an editing session: a refused command (DomainError) next to the form, a
 * refused save (ConcurrencyError: who won, and Reload latest), the stale warning, and what a
 * Save stored. Shared by the Commands panel and the conflict demo's clients.
 */
import { ConcurrencyExplanation } from './ConcurrencyExplanation'
import { ErrorAlert } from './errors'
import { isConcurrencyError } from './errors'
import { SavedNotice } from './StagedBatch'
import type { CommandSession } from '../stores/useCommandSession'
import { useReveal } from '../lib/useReveal'
import './commandSession.css'

/** Why a command was not staged: the aggregate's rule (DomainError) or another failure. */
export function StageError({ session, who }: { session: CommandSession; who: string }) {
  const error = session.stageError
  if (error === null) return null
  if (isConcurrencyError(error)) return <SaveRefused session={session} who={who} error={error} />
  return <ErrorAlert error={error} context="Not staged" />
}

function SaveRefused({
  session,
  who,
  error,
}: {
  session: CommandSession
  who: string
  error: unknown
}) {
  return (
    <div className="session-refused">
      <ConcurrencyExplanation
        error={error}
        title={`${who}'s save was rejected`}
        who={who}
        fix="Reload latest runs the staged commands (kept) on the newest version; then save again."
      />
      <ReloadButton session={session} />
    </div>
  )
}

function ReloadButton({ session }: { session: CommandSession }) {
  return (
    <div className="feature-actions">
      <button
        type="button"
        className="btn"
        disabled={session.busy}
        onClick={() => void session.reloadLatest()}
        data-session-focus="reload"
      >
        Reload latest
      </button>
    </div>
  )
}

export function SaveMessages({ session, who }: { session: CommandSession; who: string }) {
  const { saveError, saved, slot, storedVersion } = session
  const stale = slot.commands.length > 0 && storedVersion > slot.expectedVersion
  // What Save did (stored or refused) is brought into view: it may be below the fold.
  const ref = useReveal<HTMLDivElement>(saveError ?? saved)
  return (
    <div className="session-messages" aria-live="polite" ref={ref}>
      {saveError !== null &&
        (isConcurrencyError(saveError) ? (
          <SaveRefused session={session} who={who} error={saveError} />
        ) : (
          <ErrorAlert error={saveError} context="Could not save" />
        ))}
      {saveError === null && stale && (
        <div className="feature-alert feature-alert--warning" role="status">
          <p className="feature-alert__message">
            <span aria-hidden="true">⚠ </span>
            The store holds version {storedVersion}, newer than the version {slot.expectedVersion}{' '}
            these commands were staged on: saving will be rejected. Reload latest to run them on the
            newest version.
          </p>
          <ReloadButton session={session} />
        </div>
      )}
      {saved && <SavedNotice result={saved} />}
    </div>
  )
}

/** The panel's word when no loaded module can run this aggregate's commands. */
export function NoDefinition({ topic }: { topic: string }) {
  return (
    <p className="feature-alert feature-alert--warning" role="note">
      <span aria-hidden="true">⊘ </span>
      No definition loaded for <code>{topic}</code>: commands are not available.
    </p>
  )
}
