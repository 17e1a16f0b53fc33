import { expect, it } from 'vitest'

it('leaves an error behind', () => {
  setTimeout(() => {
    throw new Error('thrown after the test ended')
  }, 1)
  expect(1).toBe(1)
})

it('is still running when it is thrown', async () => {
  await new Promise((resolve) => setTimeout(resolve, 100))
  expect(1).toBe(1)
})
