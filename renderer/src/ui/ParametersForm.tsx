/**
 * The fields of a command's parameter schema, whatever the aggregate type: a label per field
 * (its title), a number input for numbers, a select for an enum, a checkbox for a boolean,
 * text otherwise. Controlled: the caller keeps the values and reads them with readParameters.
 */
import { useId } from 'react'
import type { ParameterField, ParametersSchema } from '../../../shared/contract'
import { fieldEntries, isRequired, type FieldValue, type FormValues } from '../lib/parameters'
import './parametersForm.css'

export function ParametersForm({
  schema,
  values,
  errors = {},
  disabled = false,
  onChange,
}: {
  schema: ParametersSchema
  values: FormValues
  errors?: Record<string, string>
  disabled?: boolean
  onChange: (values: FormValues) => void
}) {
  const fields = fieldEntries(schema)
  if (fields.length === 0) return <p className="muted parameters-form__none">No parameters.</p>
  return (
    <div className="parameters-form">
      {fields.map(([name, field]) => (
        <Field
          key={name}
          field={field}
          required={isRequired(schema, name)}
          value={values[name]}
          error={errors[name]}
          disabled={disabled}
          onChange={(value) => onChange({ ...values, [name]: value })}
        />
      ))}
    </div>
  )
}

function Field({
  field,
  required,
  value,
  error,
  disabled,
  onChange,
}: {
  field: ParameterField
  required: boolean
  value: FieldValue | undefined
  error: string | undefined
  disabled: boolean
  onChange: (value: FieldValue) => void
}) {
  const id = useId()
  const describedBy = [field.description ? `${id}-hint` : '', error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ')
  const common = {
    id,
    disabled,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy || undefined,
  }
  const text = typeof value === 'string' ? value : ''

  let control
  if (field.type === 'boolean') {
    control = (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={(event) => onChange(event.target.checked)}
      />
    )
  } else if (field.type === 'string' && field.enum) {
    control = (
      <select
        {...common}
        className="select"
        value={text}
        required={required}
        onChange={(event) => onChange(event.target.value)}
      >
        {!required && <option value="">(none)</option>}
        {field.enum.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    )
  } else if (field.type === 'string') {
    control = (
      <input
        {...common}
        type="text"
        className="input"
        value={text}
        required={required && (field.minLength ?? 0) > 0}
        maxLength={field.maxLength}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => onChange(event.target.value)}
      />
    )
  } else {
    control = (
      <input
        {...common}
        type="number"
        className="input"
        value={text}
        required={required}
        min={field.minimum}
        max={field.maximum}
        step={field.type === 'integer' ? 1 : 'any'}
        onChange={(event) => onChange(event.target.value)}
      />
    )
  }

  return (
    <div className={`field parameters-form__field parameters-form__field--${field.type}`}>
      {/* The marker stays outside the label: the field's accessible name is its title alone. */}
      <span className="parameters-form__label">
        <label htmlFor={id}>{field.title}</label>
        {required && field.type !== 'boolean' && (
          <span className="parameters-form__required" aria-hidden="true" title="required">
            *
          </span>
        )}
      </span>
      {control}
      {field.description && (
        <p id={`${id}-hint`} className="muted parameters-form__hint">
          {field.description}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  )
}
