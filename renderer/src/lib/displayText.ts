/**
 * A display value (shared/displayValue.ts) as one line of text, written as JavaScript would
 * write it: "text" quoted, 12n, NaN, Date(2020-…Z), Map {42 => "a", "42" => "b"}. The previews
 * and diffs say a value's kind as the tree does, never by what its text looks like.
 */
import type { JsonValue } from '../../../shared/contract'
import { childrenOf, displayKind, keyName, type TypedValue } from '../../../shared/displayValue'

/** The text of a typed value without children, and of a map's key of another kind. */
export function typedLeafText(value: TypedValue): string {
  const text = 'v' in value ? value.v : undefined
  switch (value['@']) {
    case 'date':
      return text === null || text === undefined ? 'Invalid Date' : `Date(${text})`
    case 'bigint':
      return `${text}n`
    case 'number':
      return String(text)
    case 'uuid':
      return `UUID(${text})`
    case 'bytes':
      return `bytes(base64 ${text})`
    case 'symbol':
      return String(text)
    case 'function':
      return `function ${text || '(anonymous)'}`
    case 'cycle':
      return '[Circular]'
    case 'tooDeep':
      return '[…]'
    default:
      return ''
  }
}

/** How a child's key reads in one line: a field's name, a map's key with its kind. */
export function keyText(key: string | number, inMap: boolean): string {
  if (typeof key === 'number') return String(key)
  const name = keyName(key)
  if (name.kind === 'other')
    return name.repeat > 1 ? `${displayText(name.key)} (#${name.repeat})` : displayText(name.key)
  return inMap || !/^[A-Za-z_$][\w$]*$/.test(name.text) ? JSON.stringify(name.text) : name.text
}

/** `value` in one line, cut to `max` characters (an ellipsis last). */
export function displayText(value: JsonValue, max = Number.POSITIVE_INFINITY): string {
  const parts: string[] = []
  let length = 0
  const put = (text: string) => {
    parts.push(text)
    length += text.length
  }
  const write = (v: JsonValue): void => {
    if (length > max) return
    const kind = displayKind(v)
    switch (kind) {
      case 'string':
        return put(JSON.stringify(v))
      case 'boolean':
      case 'null':
        return put(String(v))
      case 'number':
        // A finite number, or NaN and ±Infinity (typed).
        return put(typeof v === 'number' ? String(v) : typedLeafText(v as TypedValue))
      case 'array':
      case 'set':
      case 'object':
      case 'instance':
      case 'map': {
        const children = childrenOf(v)!
        const list = Array.isArray(children)
        const open = list ? '[' : '{'
        if (kind === 'set') put('Set ')
        else if (kind === 'map') put('Map ')
        else if (kind === 'instance') put(`${(v as { type: string }).type} `)
        put(open)
        const keys = list ? children.map((_, i) => i) : Object.keys(children)
        keys.forEach((key, i) => {
          if (length > max) return
          if (i > 0) put(', ')
          if (!list) put(`${keyText(key, kind === 'map')}${kind === 'map' ? ' => ' : ': '}`)
          write(list ? children[key as number]! : children[key as string]!)
        })
        return put(list ? ']' : '}')
      }
      default:
        return put(typedLeafText(v as TypedValue))
    }
  }
  write(value)
  const text = parts.join('')
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
