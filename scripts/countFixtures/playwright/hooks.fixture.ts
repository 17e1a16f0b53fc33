import { expect, test } from '@playwright/test'

test.describe('a group whose setup fails', () => {
  test.beforeAll(() => {
    throw new Error('no keyspace')
  })
  test('fails with its setup', () => expect(1).toBe(1))
  test('kept from running', () => expect(1).toBe(1))
})

test.describe('a group whose cleanup fails', () => {
  test.afterAll(() => {
    throw new Error('cleanup failed')
  })
  test('passes before its cleanup fails', () => expect(1).toBe(1))
})
