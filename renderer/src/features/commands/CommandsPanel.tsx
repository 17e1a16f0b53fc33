/**
 * The selected aggregate's commands, whatever its type: pick a command from its descriptor,
 * fill its parameters, Stage (checked by a preview: a command the rules refuse is not added),
 * see the pending events and the resulting state, then Save them as one batch (execute with
 * the version they were loaded at) or Discard staged.
 */
import { useId, useRef } from 'react'
import { ErrorAlert } from '../../ui/errors'
import '../../ui/feature.css'
import './commands.css'
import { CommandComposer } from '../../ui/CommandComposer'
import { NoDefinition, SaveMessages, StageError } from '../../ui/SessionMessages'
import { PreviewPanel, StagedList } from '../../ui/StagedBatch'
import { useCommandSession, useShowSaved } from '../../stores/useCommandSession'
import { useSessionFocus } from '../../ui/useSessionFocus'

export function CommandsPanel({ aggregateId }: { aggregateId: string }) {
  const headingId = useId()
  const showSaved = useShowSaved(aggregateId)
  const session = useCommandSession(aggregateId, aggregateId, {
    followLive: true,
    onSaved: showSaved,
  })
  const { view, descriptor, slot, busy } = session
  const staged = slot.commands.length
  const panel = useRef<HTMLElement>(null)
  useSessionFocus(panel, session.settled, staged)

  return (
    <section ref={panel} className="commands-panel feature-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Commands
      </h3>
      {session.loadError !== null && (
        <ErrorAlert error={session.loadError} context="Could not load the aggregate" />
      )}
      {view === null ? (
        session.loadError === null && <p className="muted">Loading the aggregate…</p>
      ) : view.discarded && staged === 0 ? (
        <p className="commands-status" role="note">
          <span aria-hidden="true">⊘ </span>
          This aggregate has been discarded at version {view.latestVersion}. Its history stays
          readable, but it can no longer be changed.
        </p>
      ) : session.unregistered || !descriptor ? (
        session.unregistered ? (
          <NoDefinition topic={view.type} />
        ) : (
          <p className="muted">Loading the aggregate types…</p>
        )
      ) : (
        <>
          <p className="commands-status">
            {descriptor.displayName} · Expected version:{' '}
            <strong data-testid="expected-version">{slot.expectedVersion}</strong>
            <span className="muted"> (the version the staged commands run on)</span>
          </p>
          <CommandComposer
            commands={descriptor.commands}
            submitLabel="Stage"
            busyLabel="Checking…"
            busy={busy}
            onSubmit={session.stage}
          >
            <StageError session={session} who="This batch" />
          </CommandComposer>
          <div className="section-card commands-staged">
            <StagedList commands={slot.commands} disabled={busy} onRemove={session.remove} />
            <div className="feature-actions">
              <button
                type="button"
                className="btn btn-primary"
                disabled={staged === 0 || busy}
                onClick={() => void session.save()}
                data-session-focus="save"
              >
                Save
              </button>
              <button type="button" disabled={staged === 0 || busy} onClick={session.discardStaged}>
                Discard staged
              </button>
            </div>
          </div>
          <PreviewPanel
            preview={session.preview}
            pending={session.previewPending}
            staged={staged}
          />
        </>
      )}
      {view !== null && <SaveMessages session={session} who="This batch" />}
    </section>
  )
}
