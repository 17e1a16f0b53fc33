/** What the format 2 tests share: events whose hash is that of their canonical JSON. */
import { canonicalEventJson, sha256Hex } from '../domain/hashing'

/**
 * An event-shaped object of `topic` (an instance of `prototype`'s class: a plain object by
 * default) with a fixed timestamp, whose hash is the SHA-256 of its canonical JSON.
 */
export function hashedEvent(
  topic: string,
  fields: Record<string, unknown>,
  { id = 'order-1', version = 3, prototype = Object.prototype as object } = {},
): Record<string, unknown> {
  const event = Object.assign(Object.create(prototype) as Record<string, unknown>, {
    originatorId: id,
    originatorVersion: version,
    timestamp: new Date('2026-01-02T03:04:05.678Z'),
    ...fields,
  })
  event['hash'] = sha256Hex(canonicalEventJson(topic, event))
  return event
}
