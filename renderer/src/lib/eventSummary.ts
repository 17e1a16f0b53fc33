import type { EventDto, JsonValue } from '../../../shared/contract'
import { childrenOf, displayKind, type DisplayRecord } from '../../../shared/displayValue'
import { displayText } from './displayText'

/** A short rendering of one value in a sentence, its kind said (displayText); long values cut. */
export function formatValue(value: JsonValue | undefined, max = 80): string {
  return value === undefined ? '(none)' : displayText(value, max)
}

/** The fields of a plain object or an instance; undefined for anything else. */
function asRecord(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  if (value === undefined) return undefined
  const kind = displayKind(value)
  return kind === 'object' || kind === 'instance' ? (childrenOf(value) as DisplayRecord) : undefined
}

/**
 * One line describing what an event does, whatever the aggregate type: an attribute change as
 * `name = value`, creation and discarding in words (by the event's role, which the main process
 * decides from its class: an account's discard event is `Closed`), else the payload in one line.
 */
export function describeEvent(event: Pick<EventDto, 'type' | 'role' | 'payload'>): string {
  const payload = asRecord(event.payload)
  if (event.type === 'AttributeChanged' && payload && typeof payload['name'] === 'string') {
    return `${payload['name'].replace(/^_/, '')} = ${formatValue(payload['value'])}`
  }
  if (event.role === 'created') {
    const fields = payload ? Object.keys(payload).filter((k) => !k.startsWith('originator')) : []
    return fields.length === 0
      ? 'aggregate created'
      : `aggregate created, ${formatValue(pick(payload, fields))}`
  }
  if (event.role === 'discarded') return 'aggregate discarded'
  return payload ? formatValue(event.payload) : ''
}

function pick(record: Record<string, JsonValue> | undefined, keys: string[]): JsonValue {
  const out: Record<string, JsonValue> = {}
  for (const key of keys) if (record?.[key] !== undefined) out[key] = record[key]
  return out
}
