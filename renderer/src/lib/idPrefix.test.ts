import { describe, expect, test } from 'vitest'
import { exportFileStem } from '../features/tasks/ExportButton'
import { idPrefixRule } from './idPrefix'

describe('the id filter and a Python store’s text ids', () => {
  test('our stores: hex digits and dashes, sent in lower case', () => {
    const rule = idPrefixRule('sqlite')
    expect([rule.valid('AB-c'), rule.valid('TCK'), rule.valid('0'.repeat(37))]).toEqual([
      true,
      false,
      false,
    ])
    expect(rule.sent('AB-C')).toBe('ab-c')
  })

  test('a Python store: any text up to an id’s length, sent as typed', () => {
    for (const kind of ['python-sqlite', 'python-postgres']) {
      const rule = idPrefixRule(kind)
      for (const prefix of ['TCK', '<img', 'invoice\u202e', 'tab\t'])
        expect([rule.valid(prefix), rule.sent(prefix)], prefix).toEqual([true, prefix])
      expect(rule.valid('x'.repeat(4097))).toBe(false)
    }
  })

  test('an export’s file name from a hostile text id holds no separator or hidden character', () => {
    expect(exportFileStem('00000000-0000-4000-8000-00000000000a')).toBe(
      '00000000-0000-4000-8000-00000000000a',
    )
    expect(exportFileStem('../etc/passwd')).toBe('__etc_passwd')
    expect(exportFileStem('invoice\u202etxt.exe')).toBe('invoice⟨U+202E⟩txt.exe')
    expect(exportFileStem('tab\there<b>')).toBe('tab_here_b_')
    expect(Array.from(exportFileStem('ticket/' + 'long-'.repeat(80)))).toHaveLength(100)
  })
})
