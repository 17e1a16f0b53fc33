import { beforeAll, expect, it } from 'vitest'

beforeAll(() => {
  throw new Error('keyspace creation failed')
})

it('kept from running (1)', () => expect(1).toBe(1))
it('kept from running (2)', () => expect(1).toBe(1))
