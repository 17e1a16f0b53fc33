import { useId, useState } from 'react'
import { api } from '../../api'
import type { CommandDescriptor, JsonValue } from '../../../../shared/contract'
import { useAggregatesStore } from '../../stores/aggregatesStore'
import { useSelectionStore } from '../../stores/selectionStore'
import { findType, useAggregateTypes } from '../../stores/useAggregateTypes'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { ErrorAlert } from '../../ui/ErrorAlert'
import { ModalDialog } from '../../ui/ModalDialog'
import { CommandComposer } from '../../ui/CommandComposer'
import '../../ui/feature.css'
import './commands.css'

/**
 * "New aggregate": choose a registered type, fill its create command, Create: execute with no
 * id and expectedVersion -1 stores the creation as version 0; the new aggregate is selected.
 */
export function NewAggregateButton() {
  const [open, setOpen] = useState(false)
  const [topic, setTopic] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const typeId = useId()
  const blocked = useWriteBlock()
  const { types, typesLoaded } = useAggregateTypes()
  const type = findType(types, topic) ?? types[0]

  const close = () => {
    if (busy) return
    setOpen(false)
    setError(undefined)
  }

  const create = async (command: CommandDescriptor, params: Record<string, JsonValue>) => {
    if (!type || busy) return false
    setBusy(true)
    setError(undefined)
    try {
      const result = await api.execute({
        type: type.topic,
        expectedVersion: -1,
        commands: [{ name: command.name, params }],
      })
      setOpen(false)
      useSelectionStore.getState().select(result.id)
      void useAggregatesStore.getState().refresh()
      return true
    } catch (failure) {
      setError(failure)
      return false
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <button
        type="button"
        className="new-aggregate-button"
        onClick={() => setOpen(true)}
        disabled={blocked !== null}
        aria-describedby={blocked === null ? undefined : WRITE_BLOCK_NOTICE_ID}
      >
        <span aria-hidden="true">+ </span>New aggregate
      </button>
      <ModalDialog open={open} title="New aggregate" onClose={close}>
        <div className="new-aggregate-form">
          {types.length === 0 ? (
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
                  value={type?.topic ?? ''}
                  disabled={busy}
                  onChange={(event) => {
                    setTopic(event.target.value)
                    setError(undefined)
                  }}
                >
                  {types.map((t) => (
                    <option key={t.topic} value={t.topic}>
                      {t.displayName}
                    </option>
                  ))}
                </select>
              </div>
              {type?.description && <p className="muted">{type.description}</p>}
              {type && (
                <CommandComposer
                  key={type.topic}
                  commands={[type.create]}
                  submitLabel="Create"
                  busyLabel="Creating…"
                  busy={busy}
                  primary
                  onSubmit={create}
                >
                  {error !== undefined && (
                    <ErrorAlert error={error} context="Could not create the aggregate" />
                  )}
                </CommandComposer>
              )}
            </>
          )}
          <div className="feature-actions">
            <button type="button" onClick={close} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      </ModalDialog>
    </>
  )
}
