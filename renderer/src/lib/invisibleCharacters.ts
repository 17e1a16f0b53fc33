/**
 * Characters that change how text looks without showing themselves: shown as stored, they can
 * make "evil" read "live" (U+202E) or hide words (zero-width and tag characters). The UI shows
 * each as a visible marker such as ⟨U+202E⟩ instead (see VisibleText.tsx); copies and exports
 * keep the stored text exactly.
 *
 * The set comes from Unicode's own properties, as the JavaScript engine knows them:
 * - Bidi_Control: every character that reorders text (U+061C, U+200E–U+200F, U+202A–U+202E,
 *   U+2066–U+2069);
 * - Default_Ignorable_Code_Point: what renderers draw as nothing (zero-width space and joiners,
 *   U+2060–U+206F, U+FEFF, soft hyphen, Hangul fillers, the tag characters U+E0000–U+E0FFF…);
 * - control characters (Cc) except tab, line feed and carriage return, and the line and
 *   paragraph separators U+2028/U+2029, which break lines invisibly;
 * minus what only selects a glyph and cannot hide or reorder anything: the variation selectors
 * (U+FE00–U+FE0F, U+E0100–U+E01EF, emoji presentation), and a zero-width joiner between two
 * emoji (👩‍💻), which joins them into one picture.
 */

export interface InvisibleCharacter {
  readonly codePoint: number
  /** `U+202E` */
  readonly code: string
  /** `right-to-left override` */
  readonly name: string
}

export type TextPiece = string | InvisibleCharacter

const CANDIDATE = /[\p{Bidi_Control}\p{Default_Ignorable_Code_Point}\p{Cc}\u2028\u2029]/u
const KEPT = /[\t\n\r]|\p{Variation_Selector}/u
const EMOJI = /\p{Extended_Pictographic}/u
const EMOJI_MODIFIER = /[\u{1F3FB}-\u{1F3FF}\uFE0F]/u
const ZWJ = 0x200d

const NAMES: Readonly<Record<number, string>> = {
  0x00ad: 'soft hyphen',
  0x034f: 'combining grapheme joiner',
  0x061c: 'Arabic letter mark',
  0x115f: 'Hangul choseong filler',
  0x1160: 'Hangul jungseong filler',
  0x17b4: 'Khmer vowel inherent AQ',
  0x17b5: 'Khmer vowel inherent AA',
  0x180e: 'Mongolian vowel separator',
  0x200b: 'zero width space',
  0x200c: 'zero width non-joiner',
  0x200d: 'zero width joiner',
  0x200e: 'left-to-right mark',
  0x200f: 'right-to-left mark',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0x202a: 'left-to-right embedding',
  0x202b: 'right-to-left embedding',
  0x202c: 'pop directional formatting',
  0x202d: 'left-to-right override',
  0x202e: 'right-to-left override',
  0x2060: 'word joiner',
  0x2061: 'function application',
  0x2062: 'invisible times',
  0x2063: 'invisible separator',
  0x2064: 'invisible plus',
  0x2066: 'left-to-right isolate',
  0x2067: 'right-to-left isolate',
  0x2068: 'first strong isolate',
  0x2069: 'pop directional isolate',
  0x3164: 'Hangul filler',
  0xfeff: 'zero width no-break space',
  0xffa0: 'halfwidth Hangul filler',
}

function nameOf(codePoint: number): string {
  const named = NAMES[codePoint]
  if (named) return named
  // Tag characters spell ASCII invisibly (used to smuggle text): say which letter.
  if (codePoint >= 0xe0020 && codePoint <= 0xe007e)
    return `tag character '${String.fromCharCode(codePoint - 0xe0000)}'`
  if (codePoint >= 0xe0000 && codePoint <= 0xe0fff) return 'tag character'
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'control character'
  return 'invisible character'
}

export function codeOf(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`
}

/** Whether the character at `index` of `chars` (code points) is to be made visible. */
function isHidden(chars: readonly string[], index: number): boolean {
  const char = chars[index]!
  if (!CANDIDATE.test(char) || KEPT.test(char)) return false
  if (char.codePointAt(0) === ZWJ) {
    const before = chars[index - 1] ?? ''
    const after = chars[index + 1] ?? ''
    if ((EMOJI.test(before) || EMOJI_MODIFIER.test(before)) && EMOJI.test(after)) return false
  }
  return true
}

/** The text as plain strings and the invisible characters between them, in order. */
export function splitInvisible(text: string): TextPiece[] {
  // Fast path: most text has none.
  if (!CANDIDATE.test(text)) return [text]
  const chars = [...text]
  const pieces: TextPiece[] = []
  let run = ''
  chars.forEach((char, index) => {
    if (!isHidden(chars, index)) {
      run += char
      return
    }
    if (run) pieces.push(run)
    run = ''
    const codePoint = char.codePointAt(0)!
    pieces.push({ codePoint, code: codeOf(codePoint), name: nameOf(codePoint) })
  })
  if (run) pieces.push(run)
  return pieces
}

export function hasInvisible(text: string): boolean {
  return splitInvisible(text).some((piece) => typeof piece !== 'string')
}

/** Plain text with each invisible character as ⟨U+XXXX⟩: for titles, options, labels. */
export function revealInvisible(text: string): string {
  return splitInvisible(text)
    .map((piece) => (typeof piece === 'string' ? piece : `⟨${piece.code}⟩`))
    .join('')
}
