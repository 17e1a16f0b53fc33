/**
 * Long strings in listed payloads (issue 10): a timeline page is 200 events, and a store written
 * by another program may hold megabytes in one field, so a page could be hundreds of MB (past
 * what one answer can encode). A listing sends each string's first STRING_SHOWN_MAX characters
 * and says which it shortened; exportHistory sends payloads whole. (States are cut, their long
 * strings included, by statePages.ts.)
 */
import { childrenOf, isTyped, type TypedLeaf, withChildren } from './displayValue'
import type { JsonValue } from './jsonValue'
import { STRING_SHOWN_MAX, type ShortenedString } from './statePages'

/**
 * `value` with every string longer than `max` cut to its first `max` characters (copying only
 * the containers on the way to one; `value` itself is not changed), and the strings cut.
 */
export function shortenLongStrings(
  value: JsonValue,
  max = STRING_SHOWN_MAX,
): { value: JsonValue; shortened: ShortenedString[] } {
  const shortened: ShortenedString[] = []
  const walk = (v: JsonValue, path: Array<string | number>): JsonValue => {
    if (typeof v === 'string') {
      if (v.length <= max) return v
      shortened.push({ path: [...path], length: v.length })
      return v.slice(0, max)
    }
    const children = childrenOf(v)
    if (children === undefined) {
      // A typed value's text (bytes' base64) is shortened as a string is, at the value's path.
      const text = isTyped(v) && 'v' in v ? v.v : undefined
      if (typeof text !== 'string' || text.length <= max) return v
      shortened.push({ path: [...path], length: text.length })
      return { ...(v as TypedLeaf), v: text.slice(0, max) }
    }
    if (Array.isArray(children)) {
      let copy: JsonValue[] | undefined
      children.forEach((child, i) => {
        path.push(i)
        const out = walk(child, path)
        path.pop()
        if (out !== child) (copy ??= children.slice())[i] = out
      })
      return copy ? withChildren(v, copy) : v
    }
    let copy: Record<string, JsonValue> | undefined
    for (const key of Object.keys(children)) {
      path.push(key)
      const child = children[key]!
      const out = walk(child, path)
      path.pop()
      // defineProperty: a key such as "__proto__" stays data.
      if (out !== child)
        Object.defineProperty((copy ??= { ...children }), key, {
          value: out,
          enumerable: true,
          writable: true,
          configurable: true,
        })
    }
    return copy ? withChildren(v, copy) : v
  }
  return { value: walk(value, []), shortened }
}
