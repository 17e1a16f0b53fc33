/**
 * Picks one of a type's commands and fills its parameters (ParametersForm); submitting hands
 * the checked params to `onSubmit` (Stage, or Create). The form keeps its values when the
 * caller refuses them (e.g. a DomainError), so the user can correct them.
 */
import { useId, useRef, useState, type FormEvent, type ReactNode } from 'react'
import type { CommandDescriptor, JsonValue } from '../../../shared/contract'
import { initialValues, readParameters, type FormValues } from '../lib/parameters'
import { ParametersForm } from './ParametersForm'
import './commandSession.css'

export function CommandComposer({
  commands,
  submitLabel,
  busyLabel,
  disabled = false,
  busy = false,
  primary = false,
  onSubmit,
  children,
}: {
  commands: readonly CommandDescriptor[]
  submitLabel: string
  busyLabel?: string
  disabled?: boolean
  busy?: boolean
  /** The dialog's main action (Create) rather than one step of many (Stage). */
  primary?: boolean
  /** Resolves true when the command was taken (the form then starts afresh). */
  onSubmit: (command: CommandDescriptor, params: Record<string, JsonValue>) => Promise<boolean>
  /** Shown under the fields, above the button: e.g. the alert of a refused command. */
  children?: ReactNode
}) {
  const selectId = useId()
  const hintId = useId()
  const [name, setName] = useState(commands[0]?.name ?? '')
  const command = commands.find((c) => c.name === name) ?? commands[0]
  const [values, setValues] = useState<FormValues>(() =>
    command ? initialValues(command.parameters) : {},
  )
  const [errors, setErrors] = useState<Record<string, string>>({})
  // What the form holds now, read when a submit's answer arrives (after the render it began in).
  const shown = useRef({ name, values })
  shown.current = { name, values }

  if (!command) return <p className="muted">This type offers no commands.</p>

  const choose = (next: string) => {
    const chosen = commands.find((c) => c.name === next)
    setName(next)
    setValues(chosen ? initialValues(chosen.parameters) : {})
    setErrors({})
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    if (disabled || busy) return
    const read = readParameters(command.parameters, values)
    setErrors(read.errors)
    if (Object.keys(read.errors).length > 0) return
    const accepted = await onSubmit(command, read.params)
    // Emptied for the next command, unless the user has typed on (or chosen another command)
    // while this one was being checked: what they typed then is kept.
    if (accepted && shown.current.values === values && shown.current.name === name)
      setValues(initialValues(command.parameters))
  }

  return (
    <form
      className="command-composer"
      onSubmit={(event) => void submit(event)}
      noValidate
      data-session-focus="compose"
    >
      {commands.length > 1 && (
        <div className="field command-composer__choice">
          <label htmlFor={selectId}>Command</label>
          <select
            id={selectId}
            className="select"
            value={command.name}
            disabled={disabled}
            aria-describedby={command.description ? hintId : undefined}
            onChange={(event) => choose(event.target.value)}
          >
            {commands.map((c) => (
              <option key={c.name} value={c.name}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
      )}
      {command.description && (
        <p id={hintId} className="muted command-composer__hint">
          {command.description}
        </p>
      )}
      <ParametersForm
        key={command.name}
        schema={command.parameters}
        values={values}
        errors={errors}
        disabled={disabled}
        onChange={setValues}
      />
      {children}
      <div className="feature-actions">
        <button
          type="submit"
          className={primary ? 'btn btn-primary' : 'btn'}
          disabled={disabled || busy}
          data-session-focus="stage"
        >
          {busy && busyLabel ? busyLabel : submitLabel}
        </button>
      </div>
    </form>
  )
}
