/**
 * One value without children in the state tree, showing its kind (shared/displayValue.ts): a
 * string quoted and never read as anything else, a Date as a date to the millisecond per the
 * Local/UTC choice (its ISO text in the title), 12n, NaN, a UUID or bytes labelled as such.
 */
import type { JsonValue } from '../../../shared/contract'
import { displayKind, type TypedValue } from '../../../shared/displayValue'
import { typedLeafText } from '../lib/displayText'
import { formatCount, formatDateTimeMs, type TimeZoneMode } from '../lib/format'
import { visible } from './VisibleText'

/** A kind's label before its value, for the kinds JSON has no literal for. */
function TypeLabel({ children }: { children: string }) {
  return <span className="json-type">{children}</span>
}

/** `wholeLength`: the answer shortened this string (or bytes' text) from that many characters. */
export function TypedLeaf({
  value,
  timezone,
  wholeLength,
}: {
  value: JsonValue
  timezone: TimeZoneMode
  wholeLength: number | undefined
}) {
  const kind = displayKind(value)
  const text = typeof value === 'object' && value !== null && 'v' in value ? value.v : undefined
  const shortened = wholeLength !== undefined && (
    <span className="json-more">
      {' '}
      (the first {formatCount(
        typeof text === 'string' ? text.length : String(value).length,
      )} of {formatCount(wholeLength)} characters)
    </span>
  )
  switch (kind) {
    case 'string':
      return (
        <>
          <span className="json-value json-string">{visible(JSON.stringify(value))}</span>
          {shortened}
        </>
      )
    case 'number':
      // A finite number, or NaN, Infinity and -Infinity (typed): number literals, not text.
      return (
        <span className="json-value json-number">
          {typeof value === 'number' ? String(value) : String(text)}
        </span>
      )
    case 'boolean':
    case 'null':
      return <span className={`json-value json-${kind}`}>{String(value)}</span>
    case 'date':
      return (
        <>
          <TypeLabel>Date</TypeLabel>{' '}
          {typeof text === 'string' ? (
            <time className="json-value json-date" dateTime={text} title={text}>
              {formatDateTimeMs(text, timezone)}
            </time>
          ) : (
            <span className="json-value json-date">Invalid Date</span>
          )}
        </>
      )
    case 'bigint':
      return (
        <span className="json-value json-number" title="A BigInt">
          {String(text)}n
        </span>
      )
    case 'uuid':
      return (
        <>
          <TypeLabel>UUID</TypeLabel> <span className="json-value">{String(text)}</span>
        </>
      )
    case 'bytes':
      return (
        <>
          <TypeLabel>bytes</TypeLabel>{' '}
          <span className="json-value json-bytes" title="The bytes in base64">
            {String(text)}
          </span>
          {shortened}
        </>
      )
    default:
      // A symbol, a function, a cycle, nesting too deep: said in words.
      return (
        <span className="json-value json-null">{visible(typedLeafText(value as TypedValue))}</span>
      )
  }
}
