import { describe, expect, it } from 'vitest'
import type { ParametersSchema } from '../../../shared/contract'
import { describeParams, initialValues, readParameters } from './parameters'

const schema: ParametersSchema = {
  type: 'object',
  properties: {
    name: { type: 'string', title: 'Name', minLength: 2, maxLength: 5 },
    note: { type: 'string', title: 'Note' },
    ref: { type: 'string', title: 'Ref', format: 'uuid' },
    amount: { type: 'number', title: 'Amount', exclusiveMinimum: 0, maximum: 10 },
    count: { type: 'integer', title: 'Count', minimum: 1, default: 3 },
    kind: { type: 'string', title: 'Kind', enum: ['a', 'b'] },
    flag: { type: 'boolean', title: 'Flag' },
  },
  required: ['name', 'amount', 'kind'],
}

describe('parameters', () => {
  it('starts from defaults, the first choice of a required enum, and unchecked boxes', () => {
    expect(initialValues(schema)).toEqual({
      name: '',
      note: '',
      ref: '',
      amount: '',
      count: '3',
      kind: 'a',
      flag: false,
    })
  })

  it('reads numbers, leaves empty optional fields out, and keeps booleans', () => {
    const values = { ...initialValues(schema), name: 'abc', amount: '2.5', flag: true }
    expect(readParameters(schema, values)).toEqual({
      params: { name: 'abc', amount: 2.5, count: 3, kind: 'a', flag: true },
      errors: {},
    })
  })

  it('says what is wrong with each field', () => {
    const values = {
      name: 'a',
      note: '',
      ref: 'not-a-uuid',
      amount: '0',
      count: '1.5',
      kind: 'c',
      flag: false,
    }
    expect(readParameters(schema, values).errors).toEqual({
      name: 'At least 2 characters.',
      ref: 'Enter a lowercase UUID.',
      amount: 'More than 0.',
      count: 'Enter a whole number.',
      kind: 'Choose one of the options.',
    })
    expect(readParameters(schema, { ...values, amount: '' }).errors['amount']).toBe('Required.')
    expect(readParameters(schema, { ...values, amount: '11' }).errors['amount']).toBe('At most 10.')
  })

  it('a required free-text field may be empty', () => {
    const free: ParametersSchema = {
      type: 'object',
      properties: { value: { type: 'string', title: 'Value' } },
      required: ['value'],
    }
    expect(readParameters(free, { value: '' })).toEqual({ params: { value: '' }, errors: {} })
  })

  // The same values and verdicts as the library's parameters.test.ts: the form and the server agree.
  it('checks pattern (unanchored, the u flag), exclusiveMaximum and decimal multipleOf', () => {
    const keywords: ParametersSchema = {
      type: 'object',
      properties: {
        isbn: { type: 'string', title: 'ISBN', pattern: '^97[89]-[0-9]{10}$' },
        upper: { type: 'string', title: 'Upper', pattern: '^\\p{Lu}' },
        word: { type: 'string', title: 'Word', pattern: 'b' },
        price: { type: 'number', title: 'Price', exclusiveMaximum: 100, multipleOf: 0.01 },
        step: { type: 'number', title: 'Step', multipleOf: 0.1 },
        pack: { type: 'integer', title: 'Pack', multipleOf: 6 },
      },
    }
    const wrong = {
      isbn: 'hello world!!!',
      upper: 'élan',
      word: 'xyz',
      price: '100',
      step: '0.35',
      pack: '8',
    }
    expect(readParameters(keywords, wrong).errors).toEqual({
      isbn: 'Must match the pattern ^97[89]-[0-9]{10}$.',
      upper: 'Must match the pattern ^\\p{Lu}.',
      word: 'Must match the pattern b.',
      price: 'Less than 100.',
      step: 'A multiple of 0.1.',
      pack: 'A multiple of 6.',
    })
    expect(readParameters(keywords, { price: '0.015' }).errors).toEqual({
      price: 'A multiple of 0.01.',
    })
    const right = {
      isbn: '978-0123456789',
      upper: 'Élan',
      word: 'abc',
      price: '99.99',
      step: '0.3',
      pack: '-12',
    }
    expect(readParameters(keywords, right)).toEqual({
      params: {
        isbn: '978-0123456789',
        upper: 'Élan',
        word: 'abc',
        price: 99.99,
        step: 0.3,
        pack: -12,
      },
      errors: {},
    })
    for (const step of ['0', '1e21', '2.2', '-0.7']) {
      expect(readParameters(keywords, { step }).errors).toEqual({})
    }
  })

  it('an empty required field is sent only where its pattern allows empty text', () => {
    const required = (pattern: string): ParametersSchema => ({
      type: 'object',
      properties: { code: { type: 'string', title: 'Code', pattern } },
      required: ['code'],
    })
    expect(readParameters(required('^[A-Z]+$'), { code: '' }).errors).toEqual({
      code: 'Required.',
    })
    expect(readParameters(required('^[A-Z]*$'), { code: '' })).toEqual({
      params: { code: '' },
      errors: {},
    })
  })

  it('describes staged params in one line', () => {
    expect(describeParams({ amount: 25, note: 'rent' })).toBe('amount: 25, note: "rent"')
  })
})
