import { expect, test } from '@playwright/test'
import './does-not-exist' // missing on purpose: the file cannot be imported

test('never collected', () => expect(1).toBe(1))
