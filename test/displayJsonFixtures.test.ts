import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { toDisplayJson } from '../electron/explorer/displayJson'
import { displayCases, displayTopics } from './fixtures/displayCases'

// displayJson.json was written by the code of its time (the generator never rewrites a case).
const fixtures = JSON.parse(
  readFileSync(new URL('./fixtures/displayJson.json', import.meta.url), 'utf8'),
) as Record<string, string>

describe('toDisplayJson (fixtures written by earlier versions)', () => {
  test('every case has its fixture, and every fixture its case', () => {
    expect(Object.keys(fixtures).sort()).toEqual(Object.keys(displayCases).sort())
  })

  test.each(Object.entries(displayCases))('%s: then it is shown as before', (name, make) => {
    expect(JSON.stringify(toDisplayJson(make(), displayTopics))).toBe(fixtures[name])
  })
})
