import { useId, useState, type FormEvent } from 'react'
import { api } from '../../api'
import { useAggregatesStore } from '../../stores/aggregatesStore'
import { useSelectionStore } from '../../stores/selectionStore'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { ErrorAlert } from '../../ui/ErrorAlert'
import { ModalDialog } from '../../ui/ModalDialog'
import '../../ui/feature.css'
import './commands.css'

/** "New aggregate": asks for the initial foo, creates and saves the aggregate, then selects it. */
export function NewAggregateButton() {
  const [open, setOpen] = useState(false)
  const [foo, setFoo] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const fooId = useId()
  const hintId = useId()
  const blocked = useWriteBlock()

  const close = () => {
    if (busy) return
    setOpen(false)
    setError(undefined)
  }

  const create = async (event: FormEvent) => {
    event.preventDefault()
    if (busy) return
    setBusy(true)
    setError(undefined)
    let handleId: string | undefined
    try {
      const handle = await api.createHandle({ foo })
      handleId = handle.handleId
      const saved = await api.saveHandle({ handleId })
      setOpen(false)
      setFoo('')
      useSelectionStore.getState().select(saved.aggregateId)
      void useAggregatesStore.getState().refresh()
    } catch (failure) {
      setError(failure)
    } finally {
      if (handleId) void api.closeHandle({ handleId }).catch(() => {})
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
        <form className="new-aggregate-form" onSubmit={(event) => void create(event)}>
          <div className="field">
            <label htmlFor={fooId}>Initial foo</label>
            <input
              id={fooId}
              type="text"
              value={foo}
              maxLength={10_000}
              autoComplete="off"
              autoFocus
              aria-describedby={hintId}
              onChange={(event) => setFoo(event.target.value)}
            />
          </div>
          <p id={hintId} className="muted">
            Creates an ExampleAggregateRoot: its Created event is stored as version 0.
          </p>
          {error !== undefined && (
            <ErrorAlert error={error} context="Could not create the aggregate" />
          )}
          <div className="feature-actions">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create'}
            </button>
            <button type="button" onClick={close} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </ModalDialog>
    </>
  )
}
