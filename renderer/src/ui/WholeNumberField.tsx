import { useId } from 'react'

/** A labelled whole-number input; the text is kept as typed, so the caller decides validity. */
export function WholeNumberField(props: {
  label: string
  value: string
  onChange: (text: string) => void
  min: number
  max?: number | undefined
  invalid: boolean
  /** The id of the hint that explains the valid range. */
  describedBy?: string
  disabled?: boolean
  required?: boolean
}) {
  const id = useId()
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={props.min}
        max={props.max}
        step={1}
        required={props.required}
        value={props.value}
        disabled={props.disabled}
        aria-invalid={props.invalid}
        aria-describedby={props.describedBy}
        onChange={(event) => props.onChange(event.target.value)}
      />
    </div>
  )
}
