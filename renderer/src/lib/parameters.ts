/**
 * A command's parameter schema (the contract's JSON-Schema subset) as form values and back.
 * The checks here only spare a round trip: the main process checks every request again.
 */
import type { JsonValue, ParameterField, ParametersSchema } from '../../../shared/contract'
import { LOWERCASE_UUID } from '../../../shared/contractBasics'

/** What a form field holds: text for string and number inputs, a flag for checkboxes. */
export type FieldValue = string | boolean
export type FormValues = Record<string, FieldValue>

export function fieldEntries(schema: ParametersSchema): Array<[string, ParameterField]> {
  return Object.entries(schema.properties)
}

export function isRequired(schema: ParametersSchema, name: string): boolean {
  return schema.required?.includes(name) ?? false
}

/** The form's starting values: each field's default, else empty (the first choice of an enum). */
export function initialValues(schema: ParametersSchema): FormValues {
  const values: FormValues = {}
  for (const [name, field] of fieldEntries(schema)) {
    if (field.type === 'boolean') values[name] = field.default ?? false
    else if (field.type === 'string')
      values[name] =
        field.default ?? (field.enum && isRequired(schema, name) ? (field.enum[0] ?? '') : '')
    else values[name] = field.default === undefined ? '' : String(field.default)
  }
  return values
}

function checkNumber(field: Extract<ParameterField, { type: 'number' | 'integer' }>, text: string) {
  const value = Number(text.trim())
  if (text.trim() === '' || !Number.isFinite(value)) return { error: 'Enter a number.' }
  if (field.type === 'integer' && !Number.isInteger(value))
    return { error: 'Enter a whole number.' }
  if (field.minimum !== undefined && value < field.minimum)
    return { error: `At least ${field.minimum}.` }
  if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum)
    return { error: `More than ${field.exclusiveMinimum}.` }
  if (field.maximum !== undefined && value > field.maximum)
    return { error: `At most ${field.maximum}.` }
  if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum)
    return { error: `Less than ${field.exclusiveMaximum}.` }
  if (field.multipleOf !== undefined && !isMultipleOf(value, field.multipleOf))
    return { error: `A multiple of ${field.multipleOf}.` }
  return { value }
}

function checkString(field: Extract<ParameterField, { type: 'string' }>, text: string) {
  if (field.enum && !field.enum.includes(text)) return { error: 'Choose one of the options.' }
  if (field.minLength !== undefined && text.length < field.minLength)
    return { error: `At least ${field.minLength} characters.` }
  if (field.maxLength !== undefined && text.length > field.maxLength)
    return { error: `At most ${field.maxLength} characters.` }
  if (field.format === 'uuid' && !LOWERCASE_UUID.test(text))
    return { error: 'Enter a lowercase UUID.' }
  // The server refused any pattern that does not compile when the type was registered.
  if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(text))
    return { error: `Must match the pattern ${field.pattern}.` }
  return { value: text }
}

/**
 * Whether `value` is a whole multiple of `step`, in decimal as both are written: 0.3 / 0.1 is
 * 2.9999999999999996 in binary, yet 0.3 is a multiple of 0.1. The same function as the
 * library's (electron/eventsourcing/application/parameters.ts), which the renderer cannot import.
 */
function isMultipleOf(value: number, step: number): boolean {
  const a = decimal(value)
  const b = decimal(step)
  const exponent = Math.min(a.exponent, b.exponent)
  const scaled = (d: { digits: bigint; exponent: number }) =>
    d.digits * 10n ** BigInt(d.exponent - exponent)
  return scaled(a) % scaled(b) === 0n
}

/** A finite number as digits × 10^exponent, from its shortest decimal form (e.g. 1.5e-7). */
function decimal(n: number): { digits: bigint; exponent: number } {
  const [mantissa = '0', exponent = '0'] = n.toExponential().split('e')
  const [whole = '0', fraction = ''] = mantissa.split('.')
  return { digits: BigInt(whole + fraction), exponent: Number(exponent) - fraction.length }
}

/**
 * The request's params from the form's values, or an error per field. An empty optional
 * field is left out rather than sent empty.
 */
export function readParameters(
  schema: ParametersSchema,
  values: FormValues,
): { params: Record<string, JsonValue>; errors: Record<string, string> } {
  const params: Record<string, JsonValue> = {}
  const errors: Record<string, string> = {}
  for (const [name, field] of fieldEntries(schema)) {
    const raw = values[name]
    if (field.type === 'boolean') {
      params[name] = raw === true
      continue
    }
    const text = typeof raw === 'string' ? raw : ''
    if (text === '') {
      // A required text field may be empty where its schema allows it (no minLength, a pattern
      // that matches ''), as JSON Schema does; an optional one is left out.
      const emptyAllowed = field.type === 'string' && !('error' in checkString(field, ''))
      if (emptyAllowed && isRequired(schema, name)) params[name] = ''
      else if (isRequired(schema, name)) errors[name] = 'Required.'
      continue
    }
    const checked = field.type === 'string' ? checkString(field, text) : checkNumber(field, text)
    if ('error' in checked && checked.error !== undefined) errors[name] = checked.error
    else if (checked.value !== undefined) params[name] = checked.value
  }
  return { params, errors }
}

/** `amount: 25, note: "rent"`: staged commands and their parameters in one line. */
export function describeParams(params: Record<string, JsonValue> | undefined): string {
  const entries = Object.entries(params ?? {})
  return entries.map(([name, value]) => `${name}: ${JSON.stringify(value)}`).join(', ')
}
