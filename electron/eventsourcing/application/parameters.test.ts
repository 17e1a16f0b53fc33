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

  test('pattern: an unanchored JavaScript RegExp with the u flag', () => {
    const isbn: ParametersSchema = {
      type: 'object',
      properties: { isbn: { type: 'string', title: 'ISBN', pattern: '^97[89]-[0-9]{10}$' } },
    }
    expect(refusal({ isbn: 'hello world!!!' }, isbn).message).toBe(
      'Thing: do: ISBN must match the pattern ^97[89]-[0-9]{10}$',
    )
    expect(refusal({ isbn: '978-012345678' }, isbn).parameter).toBe('isbn')
    expect(validateParameters(isbn, { isbn: '978-0123456789' }, 'x')).toEqual({
      isbn: '978-0123456789',
    })
    const loose: ParametersSchema = {
      type: 'object',
      properties: {
        word: { type: 'string', title: 'Word', pattern: 'b' },
        upper: { type: 'string', title: 'Upper', pattern: '^\\p{Lu}' },
        one: { type: 'string', title: 'One', pattern: '^.$' },
      },
    }
    expect(validateParameters(loose, { word: 'abc' }, 'x')).toEqual({ word: 'abc' })
    expect(refusal({ word: 'xyz' }, loose).parameter).toBe('word')
    // Unicode property escapes and code points need the u flag.
    expect(validateParameters(loose, { upper: 'Élan', one: '😀' }, 'x')).toEqual({
      upper: 'Élan',
      one: '😀',
    })
    expect(refusal({ upper: 'élan' }, loose).parameter).toBe('upper')
  })

  test('exclusiveMaximum excludes its bound; multipleOf is decimal', () => {
    const price: ParametersSchema = {
      type: 'object',
      properties: {
        price: { type: 'number', title: 'Price', exclusiveMaximum: 100, multipleOf: 0.01 },
        step: { type: 'number', title: 'Step', multipleOf: 0.1 },
        pack: { type: 'integer', title: 'Pack', multipleOf: 6 },
      },
    }
    expect(refusal({ price: 100 }, price).message).toBe('Thing: do: Price must be less than 100')
    expect(refusal({ price: 0.015 }, price).message).toBe(
      'Thing: do: Price must be a multiple of 0.01',
    )
    expect(refusal({ pack: 8 }, price).message).toBe('Thing: do: Pack must be a multiple of 6')
    const fine = { price: 99.99, step: 0.3, pack: -12 }
    expect(validateParameters(price, fine, 'x')).toEqual(fine)
    for (const step of [0, 1e21, 2.2, -0.7]) {
      expect(validateParameters(price, { step }, 'x')).toEqual({ step })
    }
    expect(refusal({ step: 0.35 }, price).parameter).toBe('step')
    expect(refusal({ step: 1e-7 }, price).parameter).toBe('step')
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

  test.each([
    [{ type: 'string', title: 'E', format: 'email' }, "has the format 'email'"],
    [{ type: 'string', title: 'S', exclusiveMaximum: 3 }, "uses the keyword 'exclusiveMaximum'"],
    [{ type: 'number', title: 'N', pattern: '^1' }, "uses the keyword 'pattern'"],
    [{ type: 'integer', title: 'N', enum: [1, 2] }, "uses the keyword 'enum'"],
    [{ type: 'boolean', title: 'B', const: true }, "uses the keyword 'const'"],
    [{ type: 'string', title: 'S', minItems: 1 }, "uses the keyword 'minItems'"],
    [{ type: 'string', title: 'S', pattern: '(' }, 'has a pattern that is not a valid regular'],
    [{ type: 'string', title: 'S', pattern: 5 }, 'has a pattern that is not a text'],
    [{ type: 'number', title: 'N', multipleOf: 0 }, 'has a multipleOf that is not a number'],
    [{ type: 'number', title: 'N', exclusiveMaximum: '1' }, 'has a bound that is not a number'],
    [{ type: 'number', title: 'N', minimum: 5, exclusiveMaximum: 5 }, 'at least 5 and less than 5'],
    [{ type: 'number', title: 'N', exclusiveMinimum: 2, exclusiveMaximum: 1 }, 'more than 2 and'],
    [{ type: 'string', title: 'S', pattern: '^[0-9]+$', default: 'x' }, 'the pattern ^[0-9]+$'],
  ])('a keyword nothing would check, or one that is wrong, is refused: %j', (field, problem) => {
    const schema = { type: 'object', properties: { f: field } } as unknown as ParametersSchema
    expect(() => checkParametersSchema(schema, 'Thing: do')).toThrow(ConfigurationError)
    expect(() => checkParametersSchema(schema, 'Thing: do')).toThrow(problem)
    expect(() => checkParametersSchema(schema, 'Thing: do')).toThrow("parameter 'f'")
  })

  test('the message says which keywords a field type supports', () => {
    const schema = {
      type: 'object',
      properties: { isbn: { type: 'string', title: 'ISBN', patern: '^97' } },
    } as unknown as ParametersSchema
    expect(() => checkParametersSchema(schema, 'Book: create')).toThrow(
      new ConfigurationError(
        "Book: create: parameter 'isbn' uses the keyword 'patern', which Eventscope does not support for a string (only minLength, maxLength, enum, format, pattern, title, description, default, examples, $comment)",
      ),
    )
  })

  test('keywords of the parameters object itself: only the supported ones', () => {
    const base = { type: 'object', properties: { n: { type: 'number', title: 'N' } } }
    const check = (extra: object) =>
      checkParametersSchema({ ...base, ...extra } as unknown as ParametersSchema, 'Thing: do')
    expect(() => check({ minProperties: 1 })).toThrow("parameters use the keyword 'minProperties'")
    expect(() => check({ additionalProperties: true })).toThrow('can only be false')
    const annotated = {
      additionalProperties: false,
      title: 'T',
      description: 'D',
      $comment: 'C',
    }
    expect(() => check(annotated)).not.toThrow()
  })

  test('annotations are accepted and checked nowhere: examples, $comment', () => {
    const schema: ParametersSchema = {
      type: 'object',
      properties: {
        isbn: {
          type: 'string',
          title: 'ISBN',
          description: 'The 13-digit ISBN',
          pattern: '^97[89]-[0-9]{10}$',
          examples: ['978-0123456789'],
          $comment: 'ISBN-13 only',
        },
        price: { type: 'number', title: 'Price', exclusiveMaximum: 1000, multipleOf: 0.01 },
      },
    }
    expect(() => checkParametersSchema(schema, 'x')).not.toThrow()
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
