/**
 * What a session has staged and what it would do: the staged commands (each removable), the
 * events a preview says they trigger and the resulting state, and what a Save stored.
 */
import { useId } from 'react'
import type { CommandResult, EventDto } from '../../../shared/contract'
import { describeEvent } from '../lib/eventSummary'
import { describeParams } from '../lib/parameters'
import type { StagedCommand } from '../stores/stagedCommandsStore'
import { ErrorAlert } from './errors'
import { JsonTree } from './JsonTree'
import { visible } from './VisibleText'
import './commandSession.css'
import type { PreviewState } from '../stores/useCommandSession'

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

export function StagedList({
  commands,
  disabled,
  onRemove,
  label = 'Staged commands',
}: {
  commands: readonly StagedCommand[]
  disabled: boolean
  onRemove: (key: number) => void
  label?: string
}) {
  const headingId = useId()
  return (
    <div className="staged-list" role="region" aria-labelledby={headingId}>
      {/* Live: staging or removing a command announces the new count. */}
      <h4 id={headingId} className="feature-subheading" aria-live="polite">
        {label} ({commands.length})
      </h4>
      {commands.length === 0 ? (
        <p className="muted staged-list__empty">
          Nothing staged. Staged commands wait here and are saved together, all or nothing.
        </p>
      ) : (
        <ol className="staged-list__items" aria-label={label}>
          {commands.map((command, index) => (
            <li key={command.key}>
              <span className="staged-list__label">{visible(command.label)}</span>
              <span className="staged-list__params muted">
                {visible(describeParams(command.params))}
              </span>
              <button
                type="button"
                className="btn btn-ghost btn-sm"
                aria-label={`Remove ${index + 1}: ${command.label}`}
                disabled={disabled}
                onClick={() => onRemove(command.key)}
              >
                Remove
              </button>
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}

export function EventList({ events, label }: { events: readonly EventDto[]; label: string }) {
  return (
    <ol className="event-list" aria-label={label}>
      {events.map((event) => (
        <li key={event.version}>
          <span className="event-list__version">v{event.version}</span>{' '}
          <span className="event-list__type">{visible(event.type)}</span>{' '}
          <span className="muted">{visible(describeEvent(event))}</span>
        </li>
      ))}
    </ol>
  )
}

/** The preview of the staged commands: pending events and the state after them. */
export function PreviewPanel({
  preview,
  pending,
  staged,
}: {
  preview: PreviewState
  pending: boolean
  staged: number
}) {
  const headingId = useId()
  if (staged === 0) return null
  const result = preview.result
  return (
    <div className="preview-panel" role="region" aria-labelledby={headingId} aria-busy={pending}>
      <h4 id={headingId} className="feature-subheading">
        Preview{pending ? ' (updating…)' : ''}
      </h4>
      {preview.error !== null && !pending ? (
        <ErrorAlert error={preview.error} context="Could not preview the staged commands" />
      ) : result ? (
        <>
          <p className="muted">
            {plural(result.events.length, 'pending event', 'pending events')}
            {result.events.length === 0
              ? ': nothing would be stored.'
              : result.events.length === 1
                ? `: version ${result.version} would be stored.`
                : `: versions ${result.expectedVersion + 1}–${result.version} would be stored.`}
            {result.discarded ? ' The aggregate would be discarded.' : ''}
          </p>
          <EventList events={result.events} label="Pending events" />
          <h5 className="feature-subheading preview-panel__state">Resulting state</h5>
          <JsonTree value={result.state} label="Resulting state" />
        </>
      ) : (
        <p className="muted">Previewing…</p>
      )}
    </div>
  )
}

/** What Save stored: the versions and their events. */
export function SavedNotice({ result }: { result: CommandResult }) {
  const count = result.events.length
  const first = result.expectedVersion + 1
  return (
    <div className="feature-alert feature-alert--success saved-notice" role="status">
      <p className="feature-alert__title">
        <span aria-hidden="true">✓ </span>
        {count === 1
          ? `Saved 1 event: version ${result.version}.`
          : `Saved ${count} events together as one batch: versions ${first}–${result.version}.`}
      </p>
      <EventList events={result.events} label="Stored events" />
    </div>
  )
}
