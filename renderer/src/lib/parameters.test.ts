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

  it('describes staged params in one line', () => {
    expect(describeParams({ amount: 25, note: 'rent' })).toBe('amount: 25, note: "rent"')
  })
})
