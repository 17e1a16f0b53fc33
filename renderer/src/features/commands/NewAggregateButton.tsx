import { useState } from 'react'
import { useApi } from '../../service'
import type {
  AggregateTypeDescriptor,
  CommandDescriptor,
  JsonValue,
} from '../../../../shared/contract'
import type { StagedCommand } from '../../stores/stagedCommandsStore'
import { NewAggregateForm } from './NewAggregateForm'
import { useQueryClient } from '@tanstack/react-query'
import { useSelectionStore } from '../../stores/selectionStore'
import { findType, useAggregateTypes } from '../../queries/aggregates'
import { keys } from '../../queries/keys'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { ModalDialog } from '../../ui/ModalDialog'
import { useAction } from '../../ui/useAction'
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
  const [staged, setStaged] = useState<StagedCommand[]>([])
  const blocked = useWriteBlock()
  const { types, typesLoaded } = useAggregateTypes()
  const client = useQueryClient()
  const api = useApi()
  const type = findType(types, topic) ?? types[0]

  const action = useAction(
    async (
      type: AggregateTypeDescriptor,
      command: CommandDescriptor,
      params: Record<string, JsonValue>,
    ) =>
      api.execute({
        type: type.topic,
        expectedVersion: -1,
        commands: [
          { name: command.name, params },
          ...staged.map(({ name, params }) => ({ name, params })),
        ],
      }),
  )
  const { busy, error, clearError } = action

  const close = () => {
    if (busy) return
    setOpen(false)
    clearError()
  }

  const create = async (command: CommandDescriptor, params: Record<string, JsonValue>) => {
    if (!type || busy) return false
    const outcome = await action.run(type, command, params)
    if (!outcome.ok) return false
    setOpen(false)
    setStaged([])
    useSelectionStore.getState().select(outcome.value.id)
    void client.invalidateQueries({ queryKey: keys.aggregateLists() })
    return true
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
            clearError()
          }}
          onStaged={setStaged}
          onCreate={create}
          onCancel={close}
        />
      </ModalDialog>
    </>
  )
}
