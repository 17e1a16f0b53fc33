import { createCipheriv, createSecretKey, randomBytes } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { AesGcmCipher } from './cipher'
import { GcmBatch, type SealedParts, type SealedText } from './gcmBatch'

/** Messages sealed by Node's own AES-GCM (not by the code under test), of varied lengths. */
function sealPage(raw: Buffer, count: number): { sealed: SealedText[]; plaintexts: Buffer[] } {
  const sealed: SealedText[] = []
  const plaintexts: Buffer[] = []
  for (let n = 0; n < count; n++) {
    // Lengths 0 … 299 (whole and partial blocks), associated data with multi-byte characters.
    const plaintext = randomBytes((n * 37) % 300)
    const aad = `record-${n}\n${n}\nexample#Topic${'é'.repeat(n % 5)}`
    const nonce = randomBytes(12)
    const gcm = createCipheriv(`aes-${raw.length * 8}-gcm` as 'aes-128-gcm', raw, nonce, {
      authTagLength: 16,
    })
    gcm.setAAD(Buffer.from(aad, 'utf8'))
    const body = Buffer.concat([gcm.update(plaintext), gcm.final()])
    // A format byte before it, as a stored state has.
    const bytes = Buffer.concat([Buffer.from([0b110]), nonce, gcm.getAuthTag(), body])
    sealed.push({ bytes, start: 1, aad })
    plaintexts.push(plaintext)
  }
  return { sealed, plaintexts }
}

describe('GcmBatch', () => {
  test.each([16, 24, 32])(
    'when a page sealed by Node with a %i-byte key is opened, then every plaintext comes back',
    (length) => {
      const raw = randomBytes(length)
      const batch = new GcmBatch(createSecretKey(raw), (length * 8) as 128 | 192 | 256)
      const { sealed, plaintexts } = sealPage(raw, 40)

      const opened = batch.openAll(sealed)

      expect(opened?.map((b) => b.toString('hex'))).toEqual(
        plaintexts.map((b) => b.toString('hex')),
      )
    },
  )

  test('when any one byte of any record is changed, then the page is refused', () => {
    const raw = randomBytes(16)
    const batch = new GcmBatch(createSecretKey(raw), 128)
    const { sealed } = sealPage(raw, 12)
    for (let r = 0; r < sealed.length; r++) {
      const { bytes } = sealed[r]!
      // Every byte after the format byte: nonce, tag, ciphertext.
      for (let i = 1; i < bytes.length; i++) {
        const damaged = Buffer.from(bytes)
        damaged[i] = damaged[i]! ^ (1 << (i % 8))
        const page = sealed.map((s, k) => (k === r ? { ...s, bytes: damaged } : s))
        expect(batch.openAll(page), `record ${r} byte ${i}`).toBeUndefined()
      }
    }
    // The undamaged page opens, so the refusals above come from the damage.
    expect(batch.openAll(sealed)).toHaveLength(12)
  })

  test('when a record is read with another row’s associated data, or two records swap rows, then the page is refused', () => {
    const raw = randomBytes(16)
    const batch = new GcmBatch(createSecretKey(raw), 128)
    const { sealed } = sealPage(raw, 6)

    const moved = sealed.map((s, k) => (k === 3 ? { ...s, aad: sealed[4]!.aad } : s))
    const swapped = sealed.map((s, k) =>
      k === 1 ? { ...sealed[2]!, aad: s.aad } : k === 2 ? { ...sealed[1]!, aad: s.aad } : s,
    )
    // Two damaged records whose damage might cancel out in a sum: the same bit in both tags.
    const twice = sealed.map((s, k) => {
      if (k !== 1 && k !== 2) return s
      const bytes = Buffer.from(s.bytes)
      bytes[13] = bytes[13]! ^ 1
      return { ...s, bytes }
    })

    expect(batch.openAll(moved)).toBeUndefined()
    expect(batch.openAll(swapped)).toBeUndefined()
    expect(batch.openAll(twice)).toBeUndefined()
  })

  test('when the associated data is given in parts, then the page opens as with the text, and a wrong number is refused', () => {
    const raw = randomBytes(16)
    const batch = new GcmBatch(createSecretKey(raw), 128)
    const { sealed, plaintexts } = sealPage(raw, 12)
    // `record-n\n`, n, `\nexample#Topic…`: the parts of each text, as the mapper gives them.
    const parts = sealed.map(({ bytes, start, aad }): SealedParts => {
      const [lead, number, tail] = aad.split('\n')
      return {
        bytes,
        start,
        lead: Buffer.from(`${lead}\n`),
        number: Number(number),
        tail: Buffer.from(`\n${tail}`),
      }
    })

    expect(batch.openAll(parts)?.map((b) => b.toString('hex'))).toEqual(
      plaintexts.map((b) => b.toString('hex')),
    )
    const page = batch.openPage(parts)!
    expect([...page.starts].map((s, r) => page.bytes.subarray(s, page.ends[r]))).toEqual(plaintexts)
    for (const number of [0, 9, 10, 99, 100, 12345]) {
      const wrong = parts.map((p, k) => (k === 7 ? { ...p, number } : p))
      expect(batch.openAll(wrong), `number ${number}`).toBeUndefined()
    }
  })

  test('when a record is shorter than a nonce and a tag, then the page is refused', () => {
    const raw = randomBytes(16)
    const batch = new GcmBatch(createSecretKey(raw), 128)
    const { sealed } = sealPage(raw, 3)

    const page = [...sealed, { bytes: Buffer.alloc(20), start: 1, aad: 'x' }]

    expect(batch.openAll(page)).toBeUndefined()
  })

  test('when AesGcmCipher encrypts records, then decryptRecords opens them as decrypt does one by one', () => {
    const cipher = new AesGcmCipher(randomBytes(32))
    const texts = ['', 'a', 'x'.repeat(16), 'y'.repeat(17), 'z'.repeat(1000)]
    const sealed = texts.map((text, i) => {
      const aad = `id\n${i}\ntopic`
      return { bytes: cipher.encrypt(Buffer.from(text), Buffer.from(aad)), start: 0, aad }
    })

    const opened = cipher.decryptRecords(sealed)

    expect(opened?.map((b) => b.toString())).toEqual(texts)
    expect(sealed.map((s) => cipher.decrypt(s.bytes, Buffer.from(s.aad)).toString())).toEqual(texts)
  })

  test('when a record is longer than a page decrypts, then decryptRecords leaves the page to decrypt one by one', () => {
    const cipher = new AesGcmCipher(randomBytes(16))
    const aad = 'id\n0\ntopic'
    const big = cipher.encrypt(Buffer.alloc(70 * 1024, 1), Buffer.from(aad))

    expect(cipher.decryptRecords([{ bytes: big, start: 0, aad }])).toBeUndefined()
    expect(cipher.decrypt(big, Buffer.from(aad))).toHaveLength(70 * 1024)
  })
})
