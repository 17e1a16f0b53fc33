import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { ConfigurationError, DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'
import { captureError } from '../../../test/applicationTestKit'

const plaintext = Buffer.from('the secret plans for tomorrow', 'utf8')
const aad = Buffer.from('record-id\n3\nexample#Topic', 'utf8')

describe('AesGcmCipher', () => {
  describe('given a key of a valid AES length', () => {
    test.each([16, 24, 32])('when the key has %i bytes, then a message round trips', (length) => {
      const cipher = new AesGcmCipher(randomBytes(length))

      const sealed = cipher.encrypt(plaintext)

      expect(cipher.decrypt(sealed).toString('utf8')).toBe('the secret plans for tomorrow')
    })

    test('when a message is encrypted, then the output is nonce (12) + tag (16) + ciphertext of the same length', () => {
      const cipher = new AesGcmCipher(randomBytes(16))

      expect(cipher.encrypt(plaintext).length).toBe(12 + 16 + plaintext.length)
    })

    test('when the same message is encrypted twice, then the outputs differ (a fresh nonce each time)', () => {
      const cipher = new AesGcmCipher(randomBytes(16))

      const a = cipher.encrypt(plaintext)
      const b = cipher.encrypt(plaintext)

      expect(a.equals(b)).toBe(false)
      expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false)
    })

    test('then the plaintext is not visible in the output', () => {
      const cipher = new AesGcmCipher(randomBytes(32))

      expect(cipher.encrypt(plaintext).includes(Buffer.from('secret'))).toBe(false)
    })

    test('when an empty message is encrypted, then it round trips', () => {
      const cipher = new AesGcmCipher(randomBytes(24))

      expect(cipher.decrypt(cipher.encrypt(new Uint8Array())).length).toBe(0)
    })

    test('when the ciphertext is a view into a larger buffer, then it still decrypts', () => {
      const cipher = new AesGcmCipher(randomBytes(16))
      const sealed = cipher.encrypt(plaintext)
      const larger = Buffer.concat([Buffer.from([9, 9, 9]), sealed, Buffer.from([7])])

      const view = larger.subarray(3, 3 + sealed.length)

      expect(cipher.decrypt(view).toString('utf8')).toBe('the secret plans for tomorrow')
    })
  })

  describe('given a key of any other length', () => {
    test.each([0, 1, 8, 15, 17, 23, 25, 31, 33, 64])(
      'when the key has %i bytes, then ConfigurationError names the length',
      (length) => {
        const error = captureError(() => new AesGcmCipher(new Uint8Array(length)))

        expect(error).toBeInstanceOf(ConfigurationError)
        expect((error as Error).message).toContain('16, 24 or 32')
        expect((error as Error).message).toContain(String(length))
      },
    )
  })

  describe('given a key written as base64 (as EVENTSCOPE_CIPHER_KEY holds it)', () => {
    test('when it decodes to 32 bytes, then it works and matches the raw key', () => {
      const raw = randomBytes(32)
      const fromText = AesGcmCipher.fromBase64(`  ${raw.toString('base64')}\n`)
      const fromBytes = new AesGcmCipher(raw)

      expect(fromBytes.decrypt(fromText.encrypt(plaintext)).toString('utf8')).toBe(
        'the secret plans for tomorrow',
      )
    })

    test('when the text is not base64, then ConfigurationError is raised', () => {
      expect(() => AesGcmCipher.fromBase64('not base64!')).toThrow(ConfigurationError)
      expect(() => AesGcmCipher.fromBase64('')).toThrow(ConfigurationError)
    })

    test('when text surrounds the base64, then it is refused as not base64 (not silently skipped)', () => {
      const key = randomBytes(32).toString('base64')
      const message = 'the cipher key is not valid base64'

      expect(() => AesGcmCipher.fromBase64(`${key.slice(0, 20)}*${key.slice(20)}`)).toThrow(
        new ConfigurationError(message),
      )
      expect(() => AesGcmCipher.fromBase64(`key:${key}`)).toThrow(new ConfigurationError(message))
      expect(() => AesGcmCipher.fromBase64(`${key}.`)).toThrow(new ConfigurationError(message))
    })

    test('when it has no padding or two padding characters, then it is read', () => {
      for (const length of [24, 16]) {
        const raw = randomBytes(length)
        const text = raw.toString('base64')
        expect(text.endsWith('=')).toBe(length === 16)

        const sealed = new AesGcmCipher(raw).encrypt(plaintext)
        expect(AesGcmCipher.fromBase64(text).decrypt(sealed).equals(plaintext)).toBe(true)
      }
    })

    test('when it decodes to a wrong length, then ConfigurationError is raised', () => {
      expect(() => AesGcmCipher.fromBase64(randomBytes(10).toString('base64'))).toThrow(
        ConfigurationError,
      )
    })
  })

  describe('given a ciphertext that cannot be trusted', () => {
    test('when it is decrypted with another key, then DataIntegrityError is raised', () => {
      const sealed = new AesGcmCipher(randomBytes(16)).encrypt(plaintext)

      const error = captureError(() => new AesGcmCipher(randomBytes(16)).decrypt(sealed))

      expect(error).toBeInstanceOf(DataIntegrityError)
      expect((error as Error).message).toMatch(/key is wrong or the stored bytes were damaged/)
      // The crypto library's own error is kept for whoever investigates.
      expect((error as Error).cause).toBeInstanceOf(Error)
    })

    test('when any single byte is flipped (nonce, tag or body), then DataIntegrityError is raised', () => {
      const cipher = new AesGcmCipher(randomBytes(32))
      const sealed = cipher.encrypt(plaintext, aad)

      for (let i = 0; i < sealed.length; i++) {
        const damaged = Buffer.from(sealed)
        damaged[i] = damaged[i]! ^ 0x01
        expect(() => cipher.decrypt(damaged, aad), `byte ${i}`).toThrow(DataIntegrityError)
      }
      // The undamaged one still decrypts, so the failures above come from the damage.
      expect(cipher.decrypt(sealed, aad).equals(plaintext)).toBe(true)
    })

    test('when it is truncated, then DataIntegrityError is raised', () => {
      const cipher = new AesGcmCipher(randomBytes(16))
      const sealed = cipher.encrypt(plaintext)

      expect(() => cipher.decrypt(sealed.subarray(0, sealed.length - 1))).toThrow(
        DataIntegrityError,
      )
      expect(() => cipher.decrypt(sealed.subarray(0, 20))).toThrow(/too short/)
      expect(() => cipher.decrypt(new Uint8Array())).toThrow(DataIntegrityError)
    })

    test('when bytes are appended, then DataIntegrityError is raised', () => {
      const cipher = new AesGcmCipher(randomBytes(16))
      const sealed = cipher.encrypt(plaintext)

      expect(() => cipher.decrypt(Buffer.concat([sealed, Buffer.from([0])]))).toThrow(
        DataIntegrityError,
      )
    })
  })

  describe('given associated data', () => {
    test('when the same associated data is given, then it decrypts', () => {
      const cipher = new AesGcmCipher(randomBytes(16))

      expect(cipher.decrypt(cipher.encrypt(plaintext, aad), aad).equals(plaintext)).toBe(true)
    })

    test('when other associated data is given, then DataIntegrityError is raised', () => {
      const cipher = new AesGcmCipher(randomBytes(16))
      const sealed = cipher.encrypt(plaintext, aad)

      expect(() => cipher.decrypt(sealed, Buffer.from('record-id\n4\nexample#Topic'))).toThrow(
        DataIntegrityError,
      )
    })

    test('when associated data is left out on one side only, then DataIntegrityError is raised', () => {
      const cipher = new AesGcmCipher(randomBytes(16))

      expect(() => cipher.decrypt(cipher.encrypt(plaintext, aad))).toThrow(DataIntegrityError)
      expect(() => cipher.decrypt(cipher.encrypt(plaintext), aad)).toThrow(DataIntegrityError)
    })
  })
})

describe('decryptRecord (associated data id, version, topic)', () => {
  test.each([
    ['short', 'id-1', 'example#Topic'],
    // Longer than the scratch buffer the associated data is written into at first.
    ['long', 'i'.repeat(300), `example#${'T'.repeat(500)}`],
    // Between the first buffer's size and three times it.
    ['medium', 'i'.repeat(150), `example#${'T'.repeat(200)}`],
    ['non-ASCII', 'ïd-ü', 'example#Tøpic€'],
  ])('given a %s id and topic, then it decrypts what encrypt sealed with them', (_, id, topic) => {
    const cipher = new AesGcmCipher(randomBytes(32))
    const sealed = cipher.encrypt(plaintext, Buffer.from(`${id}\n7\n${topic}`, 'utf8'))
    // As a record stores it: after its format byte, in a Buffer or a plain Uint8Array.
    const state = Buffer.concat([Buffer.from([6]), sealed])

    expect(cipher.decryptRecord(sealed, 0, id, 7, topic).equals(plaintext)).toBe(true)
    expect(cipher.decryptRecord(state, 1, id, 7, topic).equals(plaintext)).toBe(true)
    expect(cipher.decryptRecord(new Uint8Array(state), 1, id, 7, topic).equals(plaintext)).toBe(
      true,
    )
    expect(() => cipher.decryptRecord(state, 1, id, 8, topic)).toThrow(DataIntegrityError)
    expect(() => cipher.decryptRecord(state, 0, id, 7, topic)).toThrow(DataIntegrityError)
  })
})
