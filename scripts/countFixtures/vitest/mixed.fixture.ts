import { describe, expect, it } from 'vitest'

it('passes', () => expect(1).toBe(1))
it('fails', () => expect(1).toBe(2))
it.skip('is skipped', () => expect(1).toBe(1))
it.todo('is still to write')
describe.skip('a skipped group', () => {
  it('one', () => expect(1).toBe(1))
  it('two', () => expect(1).toBe(1))
})
it('skips itself at run time', (context) => {
  context.skip('no node here')
})
