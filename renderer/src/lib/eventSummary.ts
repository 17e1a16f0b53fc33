import type { EventDto, JsonValue } from '../../../shared/contract'

/** A short JSON rendering for one value in a sentence; long values are cut. */
export function formatValue(value: JsonValue | undefined, max = 80): string {
  if (value === undefined) return '(none)'
  const text = JSON.stringify(value) ?? String(value)
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}

function asRecord(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined
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
