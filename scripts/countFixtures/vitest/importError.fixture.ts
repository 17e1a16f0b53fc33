import './does-not-exist' // missing on purpose: the file cannot be imported
import { expect, it } from 'vitest'

it('never collected', () => expect(1).toBe(1))
