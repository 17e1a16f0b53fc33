import { describe, expect, test } from 'vitest'
import { sha256Hex } from '../domain/hashing'
import { canonicalDigest } from './canonicalDigest'
import { canonicalTextOf } from './canonicalRecord'

const expected = (...args: Parameters<typeof canonicalDigest>): string =>
  sha256Hex(canonicalTextOf(...args))

describe('canonicalDigest', () => {
  test.each([
    ['ASCII, id and version at one place', '{"a":1,"timestamp":2,"z":3}', 7, 7, 20],
    ['offsets at both ends', '{"timestamp":2}', 0, 0, 15],
    ['one offset after the other', '{"a":"x","b":"y","timestamp":"t","z":0}', 1, 9, 31],
    ['2-, 3- and 4-byte characters', '{"a":"é€😀","timestamp":"t","z":"ü"}', 13, 13, 27],
  ])('when the text has %s, then it hashes as the text built as a string', (_, text, a, b, c) => {
    for (const [id, version, topic] of [
      ['order-1', 0, 'shop#Order.Created'],
      ['order-1', 12345, 'shop#Order.Changed'],
      ['ordre-é', Number.MAX_SAFE_INTEGER, 'boutique#Commande.Modifiée'],
      ['order-2', -7, 'shop#Order.Created'],
      ['order-2', 1.5, 'shop#Order.Created'],
    ] as const) {
      expect(canonicalDigest(text, a, b, c, id, version, topic)).toBe(
        expected(text, a, b, c, id, version, topic),
      )
    }
  })

  test('when texts grow past the buffer kept, then each still hashes as its string', () => {
    for (const length of [10, 5000, 70_000, 300_000, 12]) {
      const text = `{"a":"${'x'.repeat(length)}","timestamp":1}`
      const c = text.length - 1
      expect(canonicalDigest(text, 1, 1, c, 'id', length, 't')).toBe(
        expected(text, 1, 1, c, 'id', length, 't'),
      )
    }
  })
})
