/**
 * One client of the conflict demo: its own load of the aggregate (its expected version), its
 * own staged commands (the type's commands, the shared form), Save and Reload. Saving after the
 * other client saved is refused with ConcurrencyError, shown with the winner's events.
 */
import { useId, useRef } from 'react'
import { concurrencyDetails, conflictSentence, describeError } from '../../ui/errors'
import { CommandComposer } from '../../ui/CommandComposer'
import { NoDefinition, SaveMessages, StageError } from '../../ui/SessionMessages'
import { StagedList } from '../../ui/StagedBatch'
import { useCommandSession, useShowSaved } from '../../stores/useCommandSession'
import { ErrorAlert } from '../../ui/errors'
import { useSessionFocus } from '../../ui/useSessionFocus'

export type LogTone = 'info' | 'ok' | 'rejected' | 'failed'

export function ClientCard({
  aggregateId,
  side,
  onNote,
}: {
  aggregateId: string
  side: 'A' | 'B'
  onNote: (tone: LogTone, text: string) => void
}) {
  const headingId = useId()
  const name = `Client ${side}`
  const showSaved = useShowSaved(aggregateId)
  const session = useCommandSession(aggregateId, `${aggregateId}#${side}`, {
    followLive: false,
    onSaved: showSaved,
  })
  const { view, descriptor, slot, busy, storedVersion } = session
  const staged = slot.commands.length
  const stale = storedVersion > slot.expectedVersion
  const card = useRef<HTMLElement>(null)
  useSessionFocus(card, session.settled, staged)

  const save = async () => {
    const count = staged
    const outcome = await session.save()
    if (outcome.ok) {
      const what = count === 1 ? '1 command' : `${count} commands`
      onNote('ok', `${name} saved ${what}: version ${outcome.result.version} stored.`)
      return
    }
    const details = concurrencyDetails(outcome.error)
    if (details)
      onNote(
        'rejected',
        `${name}'s save was rejected with ConcurrencyError: ${conflictSentence('it', details)}.`,
      )
    else onNote('failed', `${name} could not save: ${describeError(outcome.error).message}`)
  }

  const reload = async () => {
    await session.reloadLatest()
    onNote(
      'info',
      `${name} reloaded the latest version${staged > 0 ? ' (its staged commands are kept)' : ''}.`,
    )
  }

  return (
    <section ref={card} className={`client-card client-card--${side}`} aria-labelledby={headingId}>
      <h4 id={headingId} className="client-card__title">
        {name}
      </h4>
      {session.loadError !== null && <ErrorAlert error={session.loadError} context={name} />}
      {view && (
        // Live: a reload announces the version the client now works on.
        <p className="client-card__facts" aria-live="polite">
          Expected version: <strong>{slot.expectedVersion}</strong>
          {stale && (
            <span className="client-card__stale">
              {' '}
              <span aria-hidden="true">⚠ </span>the store holds version {storedVersion}
            </span>
          )}
        </p>
      )}
      {view && session.unregistered && <NoDefinition topic={view.type} />}
      {view && descriptor && !session.unregistered && (
        <CommandComposer
          commands={descriptor.commands}
          submitLabel="Stage"
          busyLabel="Checking…"
          busy={busy}
          onSubmit={session.stage}
        >
          <StageError session={session} who={name} />
        </CommandComposer>
      )}
      <StagedList
        commands={slot.commands}
        disabled={busy}
        onRemove={session.remove}
        label={`Staged by ${name}`}
      />
      <div className="feature-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={staged === 0 || busy}
          onClick={() => void save()}
          data-session-focus="save"
        >
          Save
        </button>
        <button type="button" disabled={busy} onClick={() => void reload()}>
          Reload
        </button>
        <button type="button" disabled={staged === 0 || busy} onClick={session.discardStaged}>
          Discard staged
        </button>
      </div>
      <SaveMessages session={session} who={name} />
    </section>
  )
}
