import { describe, expect, test } from 'vitest'
import { ConfigurationError, InvalidCommand } from '../errors'
import {
  checkParametersSchema,
  MAX_STRING_PARAMETER,
  NO_PARAMETERS,
  validateParameters,
  type ParametersSchema,
} from './parameters'

const ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7'

const schema: ParametersSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', minLength: 1, maxLength: 5 },
    code: { type: 'string', title: 'Code', minLength: 2 },
    currency: { type: 'string', title: 'Currency', enum: ['EUR', 'USD'], default: 'EUR' },
    ref: { type: 'string', title: 'Ref', format: 'uuid' },
    ratio: { type: 'number', title: 'Ratio', minimum: -1, maximum: 1 },
    count: { type: 'integer', title: 'Count', exclusiveMinimum: 0, default: 1 },
    flag: { type: 'boolean', title: 'Flag', default: false },
  },
  required: ['name'],
}

/** The InvalidCommand `params` get, or fails. */
function refusal(params: unknown, against: ParametersSchema = schema): InvalidCommand {
  try {
    validateParameters(against, params, 'Thing: do')
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidCommand)
    return error as InvalidCommand
  }
  throw new Error(`expected ${JSON.stringify(params)} to be refused`)
}

describe('validateParameters', () => {
  test('valid parameters come back with the defaults of the ones left out', () => {
    expect(validateParameters(schema, { name: 'Ada' }, 'x')).toEqual({
      name: 'Ada',
      currency: 'EUR',
      count: 1,
      flag: false,
    })
    const full = {
      name: 'Bo',
      code: 'ab',
      currency: 'USD',
      ref: ID,
      ratio: -0.5,
      count: 3,
      flag: true,
    }
    expect(validateParameters(schema, full, 'x')).toEqual(full)
  })

  test('no parameters: undefined, null and {} are all an empty set', () => {
    for (const params of [undefined, null, {}]) {
      expect(validateParameters(NO_PARAMETERS, params, 'x')).toEqual({})
    }
  })

  test('parameters that are not a plain object are refused', () => {
    for (const params of ['a', 3, true, [], [1], new Date(), new Map([['name', 'x']])]) {
      expect(refusal(params, NO_PARAMETERS).message).toContain('must be an object')
    }
  })

  test('a required parameter left out (or undefined) is refused, naming it', () => {
    for (const params of [{}, { name: undefined }]) {
      const error = refusal(params)
      expect(error.parameter).toBe('name')
      expect(error.message).toBe('Thing: do: Name is required')
    }
  })

  test('an unknown parameter is refused, even an inherited name like toString or __proto__', () => {
    expect(refusal({ name: 'a', nmae: 'b' }).parameter).toBe('nmae')
    expect(refusal({ name: 'a', toString: 'b' }).parameter).toBe('toString')
    expect(refusal(JSON.parse('{"name":"a","__proto__":{"x":1}}')).parameter).toBe('__proto__')
  })

  test('a field named like an Object.prototype member is read from the parameters only', () => {
    const odd: ParametersSchema = {
      type: 'object',
      properties: { constructor: { type: 'string' as const, title: 'C', default: 'd' } },
    }
    expect(validateParameters(odd, {}, 'x')).toEqual({ constructor: 'd' })
    expect(validateParameters(odd, { constructor: 'e' }, 'x')).toEqual({ constructor: 'e' })
  })

  test('strings: type, minLength (empty, short), maxLength, and the hard cap', () => {
    expect(refusal({ name: 5 }).message).toContain('Name must be text')
    expect(refusal({ name: '' }).message).toContain('Name must not be empty')
    expect(refusal({ name: 'a', code: 'x' }).message).toContain('Code needs 2 characters')
    expect(refusal({ name: 'abcdef' }).message).toContain('Name must be at most 5 characters')
    const long: ParametersSchema = {
      type: 'object',
      properties: { text: { type: 'string', title: 'Text', maxLength: 10 * MAX_STRING_PARAMETER } },
    }
    expect(validateParameters(long, { text: 'x'.repeat(MAX_STRING_PARAMETER) }, 'x')).toEqual({
      text: 'x'.repeat(MAX_STRING_PARAMETER),
    })
    expect(refusal({ text: 'x'.repeat(MAX_STRING_PARAMETER + 1) }, long).message).toContain(
      `at most ${MAX_STRING_PARAMETER}`,
    )
  })

  test('enum: only the listed values', () => {
    const error = refusal({ name: 'a', currency: 'GBP' })
    expect(error.parameter).toBe('currency')
    expect(error.message).toContain('must be one of EUR, USD')
    expect(refusal({ name: 'a', currency: 'eur' }).parameter).toBe('currency')
  })

  test('uuid: a lowercase UUID only', () => {
    expect(refusal({ name: 'a', ref: ID.toUpperCase() }).message).toContain('lowercase UUID')
    expect(refusal({ name: 'a', ref: 'not-a-uuid' }).parameter).toBe('ref')
    expect(refusal({ name: 'a', ref: `${ID}0` }).parameter).toBe('ref')
  })

  test('numbers: finite, minimum and maximum inclusive', () => {
    for (const ratio of [Number.NaN, Number.POSITIVE_INFINITY, '0.5', null]) {
      expect(refusal({ name: 'a', ratio }).message).toContain('Ratio must be a number')
    }
    expect(validateParameters(schema, { name: 'a', ratio: -1 }, 'x')['ratio']).toBe(-1)
    expect(validateParameters(schema, { name: 'a', ratio: 1 }, 'x')['ratio']).toBe(1)
    expect(refusal({ name: 'a', ratio: -1.01 }).message).toContain('at least -1')
    expect(refusal({ name: 'a', ratio: 1.01 }).message).toContain('at most 1')
  })

  test('integers: whole and safe; exclusiveMinimum excludes its bound', () => {
    expect(refusal({ name: 'a', count: 1.5 }).message).toContain('Count must be a whole number')
    expect(refusal({ name: 'a', count: 2 ** 53 }).message).toContain('whole number')
    expect(refusal({ name: 'a', count: 0 }).message).toContain('Count must be more than 0')
    expect(refusal({ name: 'a', count: -3 }).parameter).toBe('count')
    expect(validateParameters(schema, { name: 'a', count: 1 }, 'x')['count']).toBe(1)
  })

  test('booleans: true or false only', () => {
    for (const flag of ['true', 1, 0]) {
      expect(refusal({ name: 'a', flag }).message).toContain('Flag must be true or false')
    }
  })

  test('the first wrong parameter is the one named, in schema order', () => {
    expect(refusal({ name: '', count: 0 }).parameter).toBe('name')
  })
})

describe('checkParametersSchema', () => {
  test('a good schema passes, NO_PARAMETERS too', () => {
    expect(() => checkParametersSchema(schema, 'x')).not.toThrow()
    expect(() => checkParametersSchema(NO_PARAMETERS, 'x')).not.toThrow()
  })

  test('a required name that is not a property is refused (a typo would make it optional)', () => {
    const typo: ParametersSchema = { ...schema, required: ['nmae'] }
    expect(() => checkParametersSchema(typo, 'Thing: do')).toThrow(ConfigurationError)
    expect(() => checkParametersSchema(typo, 'Thing: do')).toThrow(/nmae/)
  })

  test('a default its own field refuses is refused', () => {
    const bad: ParametersSchema = {
      type: 'object',
      properties: { c: { type: 'string', title: 'C', enum: ['A'], default: 'B' } },
    }
    expect(() => checkParametersSchema(bad, 'x')).toThrow(ConfigurationError)
    const badNumber: ParametersSchema = {
      type: 'object',
      properties: { n: { type: 'integer', title: 'N', exclusiveMinimum: 0, default: 0 } },
    }
    expect(() => checkParametersSchema(badNumber, 'x')).toThrow(/N must be more than 0/)
  })

  test('a schema that is not an object of known field types is refused', () => {
    const notObject = { type: 'array', properties: {} } as unknown as ParametersSchema
    expect(() => checkParametersSchema(notObject, 'x')).toThrow(ConfigurationError)
    const badField = {
      type: 'object',
      properties: { d: { type: 'date', title: 'D' } },
    } as unknown as ParametersSchema
    expect(() => checkParametersSchema(badField, 'x')).toThrow(/date/)
  })

  test.each([
    [
      { type: 'integer', title: 'N', minimum: 10, maximum: 1 },
      'its minimum 10 is above its maximum 1',
    ],
    [
      { type: 'number', title: 'N', exclusiveMinimum: 5, maximum: 5 },
      'it must be more than 5 and at most 5',
    ],
    [
      { type: 'string', title: 'S', minLength: 5, maxLength: 2 },
      'its minLength 5 is above its maxLength 2',
    ],
    [
      { type: 'string', title: 'S', minLength: 10_001 },
      'its minLength 10001 is above its maxLength 10000',
    ],
    [{ type: 'string', title: 'S', enum: [] }, 'its enum is empty'],
    [{ type: 'string', title: '  ' }, 'has no title (the label of its form field)'],
    [{ type: 'number', title: 'N', minimum: Number.NaN }, 'has a bound that is not a number'],
    [
      { type: 'string', title: 'S', maxLength: -1 },
      'has a maxLength that is not a whole number from 0',
    ],
  ])('a field no form can fill in, or label, is refused: %j', (field, problem) => {
    const schema = { type: 'object', properties: { f: field } } as unknown as ParametersSchema
    expect(() => checkParametersSchema(schema, 'Thing: do')).toThrow(ConfigurationError)
    expect(() => checkParametersSchema(schema, 'Thing: do')).toThrow(
      `Thing: do: parameter 'f' ${problem.startsWith('has') ? '' : 'can never be given: '}${problem}`,
    )
  })

  test('NO_PARAMETERS cannot be changed by accident', () => {
    expect(Object.isFrozen(NO_PARAMETERS)).toBe(true)
    expect(Object.isFrozen(NO_PARAMETERS.properties)).toBe(true)
  })
})

describe('parameters: the exact refusals a user reads', () => {
  test('an unknown parameter is named in the message', () => {
    expect(refusal({ name: 'a', colour: 'red' }).message).toBe(
      "Thing: do has no parameter 'colour'",
    )
  })

  test('a UUID with anything before it is refused', () => {
    expect(refusal({ name: 'a', ref: `x${ID}` }).parameter).toBe('ref')
  })

  test('parameters with no prototype are a plain object', () => {
    const params = Object.assign(Object.create(null) as Record<string, unknown>, { name: 'a' })
    expect(validateParameters(schema, params, 'x')).toEqual({
      name: 'a',
      currency: 'EUR',
      count: 1,
      flag: false,
    })
  })

  test('a schema whose field is null or whose properties are not an object is refused with its message', () => {
    const nullField = { type: 'object', properties: { x: null } } as unknown as ParametersSchema
    expect(() => checkParametersSchema(nullField, 'Thing: do')).toThrow(
      new ConfigurationError("Thing: do: parameter 'x' has unknown type 'object'"),
    )
    const listed = { type: 'object', properties: [] } as unknown as ParametersSchema
    expect(() => checkParametersSchema(listed, 'Thing: do')).toThrow(
      new ConfigurationError("Thing: do: parameters must be { type: 'object', properties }"),
    )
  })
})
