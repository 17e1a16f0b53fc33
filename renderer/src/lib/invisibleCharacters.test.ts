import { describe, expect, test } from 'vitest'
import { codeOf, hasInvisible, revealInvisible, splitInvisible } from './invisibleCharacters'

const RLO = '\u202E'

describe('invisible and reordering characters', () => {
  test('given "evil" behind a right-to-left override, then the override is a visible marker and the letters stay in stored order', () => {
    expect(revealInvisible(`${RLO}live`)).toBe('⟨U+202E⟩live')
    expect(splitInvisible(`a${RLO}live`)).toEqual([
      'a',
      { codePoint: 0x202e, code: 'U+202E', name: 'right-to-left override' },
      'live',
    ])
  })

  test('given every bidirectional control, then each one is marked', () => {
    const bidi = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e]
    const isolates = [0x2066, 0x2067, 0x2068, 0x2069]
    for (const cp of [...bidi, ...isolates]) {
      expect(revealInvisible(`x${String.fromCodePoint(cp)}y`)).toBe(`x⟨${codeOf(cp)}⟩y`)
    }
  })

  test('given zero-width and other default-ignorable characters, then each one is marked', () => {
    const ignorable = [
      0x00ad, 0x034f, 0x115f, 0x180e, 0x200b, 0x200c, 0x200d, 0x2060, 0x2061, 0x2064, 0x206f,
      0x3164, 0xfeff, 0xffa0, 0x1d173, 0xe0001,
    ]
    for (const cp of ignorable) {
      expect(revealInvisible(`x${String.fromCodePoint(cp)}y`)).toBe(`x⟨${codeOf(cp)}⟩y`)
    }
  })

  test('given tag characters spelling a hidden word, then each is marked and named by its letter', () => {
    const hidden = [...'hi'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('')

    expect(revealInvisible(`ok${hidden}`)).toBe('ok⟨U+E0068⟩⟨U+E0069⟩')
    expect(splitInvisible(hidden).map((p) => (typeof p === 'string' ? p : p.name))).toEqual([
      "tag character 'h'",
      "tag character 'i'",
    ])
  })

  test('given control characters and line separators, then they are marked, but tab and newlines are not', () => {
    expect(revealInvisible('a\u0000b\u001bc\u0085d\u2028e\u2029f')).toBe(
      'a⟨U+0000⟩b⟨U+001B⟩c⟨U+0085⟩d⟨U+2028⟩e⟨U+2029⟩f',
    )
    expect(revealInvisible('a\tb\nc\r\nd')).toBe('a\tb\nc\r\nd')
  })

  test('given ordinary text, emoji, accents and right-to-left scripts, then nothing changes', () => {
    const texts = [
      'plain ascii',
      'café naïve',
      'שלום עולם',
      'مرحبا',
      '❤\uFE0F (with its variation selector)',
      // Zero-width joiners between emoji (after a skin tone or a variation selector too).
      '👩\u200D💻 👨\u200D👩\u200D👧 ❤\uFE0F\u200D🔥 🧑🏽\u200D🚀',
      '葛\u{E0100} (an ideographic variation selector)',
    ]
    for (const text of texts) expect(revealInvisible(text)).toBe(text)
    expect(hasInvisible('👩‍💻')).toBe(false)
  })

  test('given a zero-width joiner that does not join two emoji, then it is marked', () => {
    expect(revealInvisible('a\u200Db')).toBe('a⟨U+200D⟩b')
    expect(revealInvisible('👩\u200D')).toBe('👩⟨U+200D⟩')
  })
})
