import { beforeAll, describe, expect, it } from 'vitest'

it('passes outside the group', () => expect(1).toBe(1))

describe('a group whose setup fails', () => {
  beforeAll(() => {
    throw new Error('no keyspace')
  })
  it('kept from running', () => expect(1).toBe(1))
})
