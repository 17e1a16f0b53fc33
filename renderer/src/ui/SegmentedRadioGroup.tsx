/**
 * A row of radio buttons drawn as a segmented control, behaving as the ARIA radio group
 * pattern: one tab stop (the checked option), arrow keys move the choice and the focus
 * (wrapping), Home/End go to the ends.
 */
import { useRef, type KeyboardEvent } from 'react'

export interface RadioOption<T extends string> {
  value: T
  label: string
}

const STEP: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }

export function SegmentedRadioGroup<T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  label: string
  options: readonly RadioOption<T>[]
  value: T
  onChange: (value: T) => void
}) {
  const buttons = useRef<(HTMLButtonElement | null)[]>([])
  const checked = Math.max(
    0,
    options.findIndex((option) => option.value === value),
  )

  const choose = (index: number) => {
    const option = options[index]
    if (!option) return
    onChange(option.value)
    buttons.current[index]?.focus()
  }

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const n = options.length
    const step = STEP[event.key]
    let next: number | undefined
    if (step !== undefined) next = (checked + step + n) % n
    else if (event.key === 'Home') next = 0
    else if (event.key === 'End') next = n - 1
    if (next === undefined) return
    event.preventDefault()
    choose(next)
  }

  return (
    // The keys are handled for the whole group; each radio is a focusable button.
    // eslint-disable-next-line jsx-a11y-x/interactive-supports-focus
    <div className="segmented" role="radiogroup" aria-label={label} onKeyDown={onKeyDown}>
      {options.map((option, index) => (
        <button
          key={option.value}
          ref={(element) => {
            buttons.current[index] = element
          }}
          type="button"
          role="radio"
          aria-checked={index === checked}
          tabIndex={index === checked ? 0 : -1}
          className={index === checked ? 'is-checked' : ''}
          onClick={() => choose(index)}
        >
          {option.label}
        </button>
      ))}
    </div>
  )
}
