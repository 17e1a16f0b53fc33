import { randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { DataIntegrityError } from '../errors'
import { AesGcmCipher } from './cipher'

// A record's sealed bytes start after its format byte: the length check counts from there.
describe('decryptRecord', () => {
  const cipher = new AesGcmCipher(randomBytes(32))
  const aad = Buffer.from('id\n1\ntopic')

  test('round trips a sealed state found after the format byte', () => {
    const sealed = cipher.encrypt(Buffer.from('hello'), aad)
    const state = Buffer.concat([Buffer.of(2), sealed])
    expect(cipher.decryptRecord(state, 1, 'id', 1, 'topic').toString()).toBe('hello')
    // A plain Uint8Array (node:sqlite's BLOBs) reads the same.
    expect(cipher.decryptRecord(new Uint8Array(state), 1, 'id', 1, 'topic').toString()).toBe(
      'hello',
    )
  })

  test('fewer than nonce and tag after the start is too short, however long the whole', () => {
    const short = Buffer.concat([Buffer.of(2), randomBytes(27)])
    expect(() => cipher.decryptRecord(short, 1, 'id', 1, 'topic')).toThrow(
      new DataIntegrityError('ciphertext is too short to be AES-GCM output'),
    )
    const enough = Buffer.concat([Buffer.of(2), randomBytes(28)])
    const error = (() => {
      try {
        cipher.decryptRecord(enough, 1, 'id', 1, 'topic')
      } catch (e) {
        return e
      }
      return undefined
    })()
    expect(error).toBeInstanceOf(DataIntegrityError)
    expect((error as Error).message).toMatch(/^decryption failed/)
  })
})
