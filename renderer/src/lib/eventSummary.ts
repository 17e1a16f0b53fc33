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

/** The aggregate's foo, wherever the state tree keeps it (`foo` or the private `_foo`). */
export function readFoo(state: JsonValue | undefined): string | undefined {
  const record = asRecord(state)
  if (!record) return undefined
  const foo = record['foo'] ?? record['_foo']
  return typeof foo === 'string' ? foo : foo === undefined ? undefined : formatValue(foo)
}

/** One line describing what an event does, e.g. `foo = "bar2"` or `new example 1a2b3c4d`. */
export function describeEvent(event: Pick<EventDto, 'type' | 'role' | 'payload'>): string {
  const payload = asRecord(event.payload)
  if (event.type === 'AttributeChanged' && payload && typeof payload['name'] === 'string') {
    return `${payload['name'].replace(/^_/, '')} = ${formatValue(payload['value'])}`
  }
  if (event.type === 'ExampleCreated') {
    const id = payload?.['exampleId'] ?? payload?.['example_id']
    return typeof id === 'string' ? `new example ${id.slice(0, 8)}` : 'new example'
  }
  if (event.role === 'created') {
    const foo = payload?.['foo'] ?? payload?.['_foo']
    return foo === undefined ? 'aggregate created' : `aggregate created, foo = ${formatValue(foo)}`
  }
  if (event.role === 'discarded') return 'aggregate discarded'
  return payload ? formatValue(event.payload) : ''
}
