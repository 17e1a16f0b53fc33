// The codec on states whose first bytes mislead: AES-GCM output whose random nonce happens to
// begin like a zlib header (about one record in 8,000 the library writes). The layout is the
// library's (nonce | tag | ciphertext), sealed here with a chosen nonce; records the real
// library wrote are checked in python.sqlite.test.ts and python.postgres.test.ts.
import { createCipheriv, randomBytes } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { PythonCodec, type PythonRecord } from './codec'

const KEY = randomBytes(16)
const OTHER_KEY = randomBytes(16).toString('base64')
const JSON_TEXT =
  '{"timestamp":{"_type_":"datetime_iso","_data_":"2026-01-02T03:04:05+00:00"},"x":1}'

function sealed(plain: Buffer, nonce: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-gcm', KEY, nonce)
  const text = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([nonce, cipher.getAuthTag(), text])
}

const record = (state: Uint8Array): PythonRecord => ({
  originatorId: '00000000-0000-4000-8000-000000000001',
  originatorVersion: 1,
  topic: 'app:Thing.Created',
  state,
})

/** A nonce starting 0x78 0x9c: what zlib.compress writes first (0x789c % 31 === 0). */
const ZLIB_LIKE_NONCE = Buffer.concat([Buffer.from([0x78, 0x9c]), randomBytes(10)])

describe('PythonCodec: an encrypted state that begins like zlib', () => {
  for (const [name, plain] of [
    ['plain JSON', Buffer.from(JSON_TEXT)],
    ['compressed JSON', deflateSync(Buffer.from(JSON_TEXT))],
  ] as const) {
    test(`${name}: the key opens it, and it is shown encrypted`, () => {
      const state = sealed(plain, ZLIB_LIKE_NONCE)
      const codec = new PythonCodec(KEY.toString('base64'))

      expect(codec.isEncrypted(state)).toBe(true)
      expect(codec.decode(record(state))).toEqual({
        timestamp: '2026-01-02T03:04:05+00:00',
        x: 1,
      })
    })
  }

  test('with no key or a wrong key, the error says so (not "compressed state is damaged")', () => {
    const state = sealed(Buffer.from(JSON_TEXT), ZLIB_LIKE_NONCE)

    expect(new PythonCodec().isEncrypted(state)).toBe(true)
    expect(() => new PythonCodec().decode(record(state))).toThrow(/no cipher key is configured/)
    expect(new PythonCodec(OTHER_KEY).isEncrypted(state)).toBe(true)
    expect(() => new PythonCodec(OTHER_KEY).decode(record(state))).toThrow(/cipher key is wrong/)
  })

  test('a compressed state written before encryption was on still reads, and is not encrypted', () => {
    const state = deflateSync(Buffer.from(JSON_TEXT))
    for (const codec of [new PythonCodec(), new PythonCodec(KEY.toString('base64'))]) {
      expect(codec.isEncrypted(state)).toBe(false)
      expect(codec.decode(record(state))).toMatchObject({ x: 1 })
    }
  })
})

describe('PythonCodec: states another of Python’s compressors wrote', () => {
  // Their streams' heads (bz2.compress, lzma.compress's xz), the rest as it may be.
  const bz2 = Buffer.concat([Buffer.from('BZh91AY&SY', 'latin1'), randomBytes(40)])
  const xz = Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), randomBytes(40)])

  test.each([
    ['bz2', bz2],
    ['lzma (xz)', xz],
  ])('%s: not taken for encrypted, and refused by name, with or without a key', (name, plain) => {
    const codec = new PythonCodec()
    expect(codec.isEncrypted(plain)).toBe(false)
    const refusal = `it is compressed with ${name}, which Eventscope does not read`
    expect(() => codec.decode(record(plain))).toThrow(refusal)
    // Encrypted after compressing, as the library does.
    const keyed = new PythonCodec(KEY.toString('base64'))
    expect(() => keyed.decode(record(sealed(plain, randomBytes(12))))).toThrow(refusal)
  })
})

test('PythonCodec: an integer past 2**53 and a NaN are read, not refused or rounded', () => {
  const state = Buffer.from('{"amount":9223372036854775809,"rate":NaN}', 'utf8')
  const fields = new PythonCodec().decode(record(state))
  expect(fields['amount']).toBe(9223372036854775809n)
  expect(fields['rate']).toBeNaN()
})
