/**
 * The "New aggregate" dialog's content: the type, its create form, and commands staged to run
 * right after the creation in the same batch (checked by the server on Create).
 */
import { useId } from 'react'
import type {
  AggregateTypeDescriptor,
  CommandDescriptor,
  JsonValue,
} from '../../../../shared/contract'
import { CommandComposer } from '../../ui/CommandComposer'
import { ErrorAlert } from '../../ui/errors'
import type { StagedCommand } from '../../stores/stagedCommandsStore'
import { StagedList } from '../../ui/StagedBatch'

export function NewAggregateForm({
  types,
  typesLoaded,
  type,
  busy,
  error,
  staged,
  onType,
  onStaged,
  onCreate,
  onCancel,
}: {
  types: readonly AggregateTypeDescriptor[]
  typesLoaded: boolean
  type: AggregateTypeDescriptor | undefined
  busy: boolean
  error: unknown
  staged: readonly StagedCommand[]
  onType: (topic: string) => void
  onStaged: (staged: StagedCommand[]) => void
  onCreate: (command: CommandDescriptor, params: Record<string, JsonValue>) => Promise<boolean>
  onCancel: () => void
}) {
  const typeId = useId()
  const stage = async (command: CommandDescriptor, params: Record<string, JsonValue>) => {
    // The next key follows the list's own largest: unique within it with no counter to keep.
    const key = staged.reduce((max, c) => Math.max(max, c.key), 0) + 1
    onStaged([...staged, { key, name: command.name, label: command.label, params }])
    return true
  }
  return (
    <div className="new-aggregate-form">
      {types.length === 0 || !type ? (
        <p className="muted">
          {typesLoaded ? 'No aggregate type is registered.' : 'Loading the aggregate types…'}
        </p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={typeId}>Aggregate type</label>
            <select
              id={typeId}
              className="select"
              value={type.topic}
              disabled={busy}
              onChange={(event) => onType(event.target.value)}
            >
              {types.map((t) => (
                <option key={t.topic} value={t.topic}>
                  {t.displayName}
                </option>
              ))}
            </select>
          </div>
          {type.description && <p className="muted">{type.description}</p>}
          <CommandComposer
            key={type.topic}
            commands={[type.create]}
            submitLabel="Create"
            busyLabel="Creating…"
            busy={busy}
            primary
            onSubmit={onCreate}
          >
            {staged.length > 0 && (
              <p className="muted">
                Create stores the creation as version 0 and the {staged.length} staged{' '}
                {staged.length === 1 ? 'command' : 'commands'} below after it, as one batch.
              </p>
            )}
            {error !== undefined && error !== null && (
              <ErrorAlert error={error} context="Could not create the aggregate" />
            )}
          </CommandComposer>
          {type.commands.length > 0 && (
            <details className="new-aggregate-form__then">
              <summary>Then, in the same batch (optional)</summary>
              <CommandComposer
                key={`${type.topic}-then`}
                commands={type.commands}
                submitLabel="Stage"
                disabled={busy}
                onSubmit={stage}
              />
              <StagedList
                commands={staged}
                disabled={busy}
                label="Staged after creation"
                onRemove={(key) => onStaged(staged.filter((c) => c.key !== key))}
              />
            </details>
          )}
        </>
      )}
      <div className="feature-actions">
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </div>
    </div>
  )
}
