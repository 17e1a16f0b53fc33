import { describe, expect, test } from 'vitest'
import { isUuidString, newOriginatorId, UUID } from './uuid'

const HEX = '6f1c2a4e-8b3d-4e5f-9a0b-1c2d3e4f5a6b'

describe('UUID', () => {
  test('given upper-case text, then it keeps the lower-case form', () => {
    const id = new UUID(HEX.toUpperCase())

    expect(id.hex).toBe(HEX)
    expect(id.toString()).toBe(HEX)
    expect(JSON.stringify({ id })).toBe(`{"id":"${HEX}"}`)
  })

  test.each([
    ['empty', ''],
    ['without dashes', HEX.replaceAll('-', '')],
    ['one digit short', HEX.slice(1)],
    ['one digit more', `${HEX}0`],
    ['with a leading space', ` ${HEX}`],
    ['with a non-hex digit', `g${HEX.slice(1)}`],
    ['inside other text', `x${HEX}x`],
    // The digit ranges' neighbours, and the dashes one place off.
    ['with a colon for a digit', `:${HEX.slice(1)}`],
    ['with a slash for a digit', `/${HEX.slice(1)}`],
    ['with a backtick for a digit', `\`${HEX.slice(1)}`],
    ['with a dash for a digit', `-${HEX.slice(1)}`],
    ['with the first dash one place on', `${HEX.slice(0, 8)}8-${HEX.slice(10)}`],
  ])('given text %s, then it is refused with the text named', (_, text) => {
    expect(() => new UUID(text)).toThrow(new TypeError(`not a UUID: '${text}'`))
  })

  test('equals a UUID of the same value only', () => {
    const id = new UUID(HEX)

    expect(id.equals(new UUID(HEX.toUpperCase()))).toBe(true)
    expect(id.equals(new UUID('00000000-0000-4000-8000-000000000000'))).toBe(false)
    expect(id.equals(HEX)).toBe(false)
    expect(id.equals({ hex: HEX })).toBe(false)
  })

  test('v4 makes a new random UUID each time', () => {
    const a = UUID.v4()
    const b = UUID.v4()

    expect(a).toBeInstanceOf(UUID)
    expect(a.hex).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a.equals(b)).toBe(false)
  })
})

describe('isUuidString', () => {
  test('is true for the lower-case text form only', () => {
    expect(isUuidString(HEX)).toBe(true)
    expect(isUuidString(HEX.toUpperCase())).toBe(false)
    expect(isUuidString(`${HEX}0`)).toBe(false)
    expect(isUuidString(` ${HEX}`)).toBe(false)
    expect(isUuidString(`${HEX.slice(0, 35)}F`)).toBe(false)
    expect(isUuidString(HEX.replaceAll('-', '0'))).toBe(false)
  })
})

describe('newOriginatorId', () => {
  test('is a new lower-case UUID each time', () => {
    const a = newOriginatorId()

    expect(isUuidString(a)).toBe(true)
    expect(newOriginatorId()).not.toBe(a)
  })
})

describe('UUID.copyOf', () => {
  test('given a UUID, then the copy is equal and another object', () => {
    const id = UUID.v4()

    const copy = UUID.copyOf(id)

    expect(copy.equals(id)).toBe(true)
    expect(copy).not.toBe(id)
    expect(copy).toBeInstanceOf(UUID)
  })

  test('given the marker text copyOf uses inside, then the constructor still checks it', () => {
    expect(() => new UUID('\u0000uuid copy')).toThrow(TypeError)
  })
})
