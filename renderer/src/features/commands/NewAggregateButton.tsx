import { useState } from 'react'
import { api } from '../../api'
import type { CommandDescriptor, JsonValue } from '../../../../shared/contract'
import type { StagedCommand } from '../../stores/stagedCommandsStore'
import { NewAggregateForm } from './NewAggregateForm'
import { useQueryClient } from '@tanstack/react-query'
import { useSelectionStore } from '../../stores/selectionStore'
import { findType, useAggregateTypes } from '../../queries/aggregates'
import { keys } from '../../queries/keys'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { ModalDialog } from '../../ui/ModalDialog'
import '../../ui/feature.css'
import './commands.css'

/**
 * "New aggregate": choose a registered type, fill its create command (and optionally stage more
 * of its commands), Create: execute with no id and expectedVersion -1 stores the creation as
 * version 0 and the staged commands after it, as one batch; the new aggregate is selected.
 */
export function NewAggregateButton() {
  const [open, setOpen] = useState(false)
  const [topic, setTopic] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [staged, setStaged] = useState<StagedCommand[]>([])
  const blocked = useWriteBlock()
  const { types, typesLoaded } = useAggregateTypes()
  const client = useQueryClient()
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
        commands: [
          { name: command.name, params },
          ...staged.map(({ name, params }) => ({ name, params })),
        ],
      })
      setOpen(false)
      setStaged([])
      useSelectionStore.getState().select(result.id)
      void client.invalidateQueries({ queryKey: keys.aggregateLists() })
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
        <NewAggregateForm
          types={types}
          typesLoaded={typesLoaded}
          type={type}
          busy={busy}
          error={error}
          staged={staged}
          onType={(topic) => {
            setTopic(topic)
            setStaged([])
            setError(undefined)
          }}
          onStaged={setStaged}
          onCreate={create}
          onCancel={close}
        />
      </ModalDialog>
    </>
  )
}
