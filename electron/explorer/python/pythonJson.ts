/**
 * JSON as Python's `json` module writes it for the `eventsourcing` library: standard JSON,
 * plus the literals NaN, Infinity and -Infinity (`allow_nan`, on by default, for floats), and
 * integers of any size (Python's int). JSON.parse refuses the first and rounds the second
 * (2**63 + 1 read as 9223372036854775808): such a text is read by lossless-json instead, its
 * integers past 2**53 as BigInt, its special floats as numbers. Everything else takes
 * JSON.parse, as before.
 */
import { isInteger, isSafeNumber, parse } from 'lossless-json'

/** A digit run long enough to be an integer JSON.parse would round (2**53 has 16 digits). */
const LONG_DIGITS = /\d{16}/
const SPECIALS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }
/** Stands for a special literal inside the text lossless-json reads (a string no JSON holds raw). */
const MARK = '\u0000python:'

export function parsePythonJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text)
    } catch (error) {
      // Only the special literals make a text JSON.parse refuses worth a second reading.
      if (!/NaN|Infinity/.test(text)) throw error
    }
  }
  return parse(markSpecials(text), reviveSpecial, parseNumber)
}

function parseNumber(text: string): number | bigint {
  if (isSafeNumber(text)) return Number(text)
  return isInteger(text) ? BigInt(text) : Number.parseFloat(text)
}

function reviveSpecial(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(MARK)) {
    const special = SPECIALS[value.slice(MARK.length)]
    if (special !== undefined) return special
  }
  return value
}

/** The text with each NaN, Infinity and -Infinity outside strings as a marked string. */
function markSpecials(text: string): string {
  let out = ''
  let from = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
      continue
    }
    if (c === 0x22) {
      inString = true
      continue
    }
    for (const literal of ['NaN', 'Infinity', '-Infinity']) {
      if (text.startsWith(literal, i)) {
        // Escaped in the text (a raw control character is not JSON); MARK once parsed.
        out += `${text.slice(from, i)}"\\u0000python:${literal}"`
        i += literal.length - 1
        from = i + 1
        break
      }
    }
  }
  return from === 0 ? text : out + text.slice(from)
}
