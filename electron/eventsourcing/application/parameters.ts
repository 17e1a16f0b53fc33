/**
 * Command parameters are described by a small subset of JSON Schema: an object of named fields,
 * each a string (optionally one of `enum`, a UUID, or matching a `pattern`), a number or integer,
 * or a boolean. It is plain data, so it crosses any process boundary and a UI can render it as a
 * form; the library validates against it before a command runs, so a form is a convenience,
 * never the check. A keyword outside the subset is refused at registration, never ignored.
 */
import { ConfigurationError, InvalidCommand } from '../errors'

interface FieldBase {
  /** The form label. */
  readonly title: string
  readonly description?: string
  /** Annotations only: nothing checks them. */
  readonly examples?: readonly unknown[]
  readonly $comment?: string
}

export interface StringField extends FieldBase {
  readonly type: 'string'
  readonly minLength?: number
  readonly maxLength?: number
  /** One of these values (a select in a form). */
  readonly enum?: readonly string[]
  /** 'uuid': a lowercase UUID, e.g. the id of another aggregate or a child entity. */
  readonly format?: 'uuid'
  /** A JavaScript regular expression (the `u` flag) the text must match somewhere, unanchored. */
  readonly pattern?: string
  readonly default?: string
}

export interface NumberField extends FieldBase {
  readonly type: 'number' | 'integer'
  readonly minimum?: number
  readonly maximum?: number
  /** Values must be greater than this (e.g. 0 for an amount). */
  readonly exclusiveMinimum?: number
  readonly exclusiveMaximum?: number
  /** Values must be a whole multiple of this (above 0), in decimal: 0.3 is a multiple of 0.1. */
  readonly multipleOf?: number
  readonly default?: number
}

export interface BooleanField extends FieldBase {
  readonly type: 'boolean'
  readonly default?: boolean
}

export type ParameterField = StringField | NumberField | BooleanField

export interface ParametersSchema {
  readonly type: 'object'
  readonly properties: Readonly<Record<string, ParameterField>>
  /** Fields that must be given (the others may be left out). */
  readonly required?: readonly string[]
  /** Only false, which says what is always so: a parameter the schema does not name is refused. */
  readonly additionalProperties?: false
  readonly title?: string
  readonly description?: string
  readonly $comment?: string
}

/** A command with no parameters. Frozen: it is shared by every such command's description. */
export const NO_PARAMETERS: ParametersSchema = Object.freeze({
  type: 'object',
  properties: Object.freeze({}),
})

/** Strings longer than this are refused whatever the schema says: stored data stays sane. */
export const MAX_STRING_PARAMETER = 10_000

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/**
 * Checks `params` against `schema` and returns them with defaults filled in; InvalidCommand
 * names the first wrong parameter. Unknown parameters are refused (a typo must not pass).
 */
export function validateParameters(
  schema: ParametersSchema,
  params: unknown,
  commandName: string,
): Record<string, unknown> {
  if (params === undefined || params === null) params = {}
  if (!isPlainObject(params)) {
    // A Map, Date or class instance would be read as {}: its entries silently ignored.
    throw new InvalidCommand(`${commandName}: parameters must be an object`)
  }
  const given = params
  for (const name of Object.keys(given)) {
    if (!Object.prototype.hasOwnProperty.call(schema.properties, name)) {
      throw new InvalidCommand(`${commandName} has no parameter '${name}'`, name)
    }
  }
  const out: Record<string, unknown> = {}
  const required = new Set(schema.required ?? [])
  for (const [name, field] of Object.entries(schema.properties)) {
    // Own properties only: a field named 'constructor' must not read Object.prototype's.
    const own = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : undefined
    const value = own === undefined ? field.default : own
    if (value === undefined) {
      if (required.has(name)) {
        throw new InvalidCommand(`${commandName}: ${field.title} is required`, name)
      }
      continue
    }
    const problem = fieldProblem(field, value)
    if (problem) throw new InvalidCommand(`${commandName}: ${field.title} ${problem}`, name)
    out[name] = value
  }
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

const ANNOTATIONS = ['title', 'description', 'default', 'examples', '$comment']
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf']
/** The keywords each field type supports: any other is refused, since nothing would check it. */
const FIELD_KEYWORDS: Readonly<Record<ParameterField['type'], readonly string[]>> = {
  string: ['minLength', 'maxLength', 'enum', 'format', 'pattern', ...ANNOTATIONS],
  number: [...NUMBER_KEYWORDS, ...ANNOTATIONS],
  integer: [...NUMBER_KEYWORDS, ...ANNOTATIONS],
  boolean: ANNOTATIONS,
}
const FIELD_TYPES = new Set(Object.keys(FIELD_KEYWORDS))
const SCHEMA_KEYWORDS = [
  'type',
  'properties',
  'required',
  'additionalProperties',
  'title',
  'description',
  '$comment',
]

/**
 * Checks a schema when its type is registered (ConfigurationError), so a mistake shows at
 * start-up rather than as a puzzling refusal: a `required` name that is no property (a typo
 * would leave the field optional), a field of an unknown type, a default its own field refuses.
 */
export function checkParametersSchema(schema: ParametersSchema, commandName: string): void {
  if (!isPlainObject(schema) || schema.type !== 'object' || !isPlainObject(schema.properties)) {
    throw new ConfigurationError(
      `${commandName}: parameters must be { type: 'object', properties }`,
    )
  }
  const unsupported = Object.keys(schema).find((key) => !SCHEMA_KEYWORDS.includes(key))
  if (unsupported !== undefined) {
    throw new ConfigurationError(
      `${commandName}: parameters use the keyword '${unsupported}', which Eventscope does not support (only ${SCHEMA_KEYWORDS.join(', ')})`,
    )
  }
  if (schema.additionalProperties !== undefined && schema.additionalProperties !== false) {
    throw new ConfigurationError(
      `${commandName}: parameters' additionalProperties can only be false (a parameter that is not a property is always refused)`,
    )
  }
  for (const name of schema.required ?? []) {
    if (!Object.prototype.hasOwnProperty.call(schema.properties, name)) {
      throw new ConfigurationError(`${commandName}: required parameter '${name}' is not a property`)
    }
  }
  for (const [name, field] of Object.entries(schema.properties)) {
    if (!isPlainObject(field) || !FIELD_TYPES.has(field.type as string)) {
      const type = isPlainObject(field) ? String(field.type) : typeof field
      throw new ConfigurationError(`${commandName}: parameter '${name}' has unknown type '${type}'`)
    }
    const unusable = fieldSchemaProblem(field)
    if (unusable) throw new ConfigurationError(`${commandName}: parameter '${name}' ${unusable}`)
    if (field.default === undefined) continue
    const problem = fieldProblem(field, field.default)
    if (problem) {
      throw new ConfigurationError(
        `${commandName}: the default of parameter '${name}' is refused: ${field.title} ${problem}`,
      )
    }
  }
}

/**
 * Why a field could never be filled in, or labelled (a form's field needs a name), or uses a
 * keyword that nothing would check.
 */
function fieldSchemaProblem(field: ParameterField): string | undefined {
  const supported = FIELD_KEYWORDS[field.type]
  const unsupported = Object.keys(field).find((key) => key !== 'type' && !supported.includes(key))
  if (unsupported !== undefined)
    return `uses the keyword '${unsupported}', which Eventscope does not support for a ${field.type} (only ${supported.join(', ')})`
  if (typeof field.title !== 'string' || field.title.trim() === '')
    return 'has no title (the label of its form field)'
  if (field.examples !== undefined && !Array.isArray(field.examples))
    return 'has examples that are not a list'
  const isNumber = (n: unknown) => n === undefined || (typeof n === 'number' && Number.isFinite(n))
  switch (field.type) {
    case 'string': {
      const { minLength: min, maxLength: max } = field
      for (const [key, n] of [
        ['minLength', min],
        ['maxLength', max],
      ] as const) {
        if (n !== undefined && !(Number.isSafeInteger(n) && n >= 0))
          return `has a ${key} that is not a whole number from 0`
      }
      if (min !== undefined && min > Math.min(max ?? MAX_STRING_PARAMETER, MAX_STRING_PARAMETER))
        return `can never be given: its minLength ${min} is above its maxLength ${Math.min(max ?? MAX_STRING_PARAMETER, MAX_STRING_PARAMETER)}`
      if (field.enum !== undefined) {
        if (!Array.isArray(field.enum) || field.enum.some((v) => typeof v !== 'string'))
          return 'has an enum that is not a list of texts'
        if (field.enum.length === 0) return 'can never be given: its enum is empty'
      }
      const format: unknown = field.format
      if (format !== undefined && format !== 'uuid')
        return `has the format '${String(format)}', which Eventscope does not check (only 'uuid')`
      return patternProblem(field.pattern)
    }
    case 'number':
    case 'integer': {
      const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = field
      if (![minimum, maximum, exclusiveMinimum, exclusiveMaximum].every(isNumber))
        return 'has a bound that is not a number'
      if (multipleOf !== undefined && !(isNumber(multipleOf) && multipleOf > 0))
        return 'has a multipleOf that is not a number above 0'
      if (minimum !== undefined && maximum !== undefined && minimum > maximum)
        return `can never be given: its minimum ${minimum} is above its maximum ${maximum}`
      for (const [low, lowText] of [
        [minimum, 'at least'],
        [exclusiveMinimum, 'more than'],
      ] as const) {
        for (const [high, highText] of [
          [maximum, 'at most'],
          [exclusiveMaximum, 'less than'],
        ] as const) {
          if (low === undefined || high === undefined) continue
          const exclusive = lowText === 'more than' || highText === 'less than'
          if (low > high || (low === high && exclusive))
            return `can never be given: it must be ${lowText} ${low} and ${highText} ${high}`
        }
      }
      return undefined
    }
    case 'boolean':
      return undefined
  }
}

function fieldProblem(field: ParameterField, value: unknown): string | undefined {
  switch (field.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be text'
      const max = Math.min(field.maxLength ?? MAX_STRING_PARAMETER, MAX_STRING_PARAMETER)
      if (value.length > max) return `must be at most ${max} characters`
      if (field.minLength !== undefined && value.length < field.minLength)
        return field.minLength === 1 ? 'must not be empty' : `needs ${field.minLength} characters`
      if (field.enum && !field.enum.includes(value))
        return `must be one of ${field.enum.join(', ')}`
      if (field.format === 'uuid' && !UUID.test(value)) return 'must be a lowercase UUID'
      if (field.pattern !== undefined && !new RegExp(field.pattern, 'u').test(value))
        return `must match the pattern ${field.pattern}`
      return undefined
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number'
      if (field.type === 'integer' && !Number.isSafeInteger(value)) return 'must be a whole number'
      if (field.minimum !== undefined && value < field.minimum)
        return `must be at least ${field.minimum}`
      if (field.maximum !== undefined && value > field.maximum)
        return `must be at most ${field.maximum}`
      if (field.exclusiveMinimum !== undefined && value <= field.exclusiveMinimum)
        return `must be more than ${field.exclusiveMinimum}`
      if (field.exclusiveMaximum !== undefined && value >= field.exclusiveMaximum)
        return `must be less than ${field.exclusiveMaximum}`
      if (field.multipleOf !== undefined && !isMultipleOf(value, field.multipleOf))
        return `must be a multiple of ${field.multipleOf}`
      return undefined
    }
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false'
  }
}

/** A pattern is checked when registered: one that does not compile would refuse every value. */
function patternProblem(pattern: unknown): string | undefined {
  if (pattern === undefined) return undefined
  if (typeof pattern !== 'string') return 'has a pattern that is not a text'
  try {
    new RegExp(pattern, 'u')
    return undefined
  } catch (error) {
    return `has a pattern that is not a valid regular expression: ${(error as Error).message}`
  }
}

/**
 * Whether `value` is a whole multiple of `step`, in decimal as both are written: 0.3 / 0.1 is
 * 2.9999999999999996 in binary, yet 0.3 is a multiple of 0.1. (renderer/src/lib/parameters.ts
 * has the same function: the renderer cannot import the library.)
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
