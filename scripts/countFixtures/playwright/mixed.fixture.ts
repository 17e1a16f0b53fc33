import { expect, test } from '@playwright/test'

test('passes', () => expect(1).toBe(1))
test('fails', () => expect(1).toBe(2))
test.skip('is skipped', () => expect(1).toBe(1))
test.fixme('is to fix', () => expect(1).toBe(1))
test('skips itself at run time', () => test.skip(true, 'no node here'))
test('times out', async () => {
  await new Promise((resolve) => setTimeout(resolve, 3_000))
})

test.describe('retried', () => {
  test.describe.configure({ retries: 1 })
  test('is flaky', () => expect(test.info().retry).toBe(1))
})
