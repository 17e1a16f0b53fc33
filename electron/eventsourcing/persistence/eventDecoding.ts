/**
 * Decoding stored events, shared by the mapper's readers: an event's object built from a
 * format 2 text (its hash checked as it is decoded, when asked), and the DataIntegrityError
 * that names the record a failure came from.
 */
import { sha256Hex } from '../domain/hashing'
import { type DomainEvent, UnregisteredEvent } from '../domain/events'
import { DataIntegrityError, EventSourcingError } from '../errors'
import { canonicalTextOf, parseCanonical } from './canonicalRecord'
import type { StoredRecord } from './recorder'

/** What a page decode found out about an event's hash (`checks[i]`, splitRowsToEvents). */
export const HASH_UNCHECKED = 0
export const HASH_MATCHES = 1
export const HASH_DIFFERS = 2

export type EventClass = abstract new () => DomainEvent

export const NONE = new Uint8Array(0)

/** An event's object before its fields: of its class, or plain for an unregistered topic. */
export function newTarget(cls: EventClass | undefined): Record<string, unknown> {
  return (cls === undefined ? {} : Object.create(cls.prototype as object)) as Record<
    string,
    unknown
  >
}

/** The header after the fields (recordToEvent's order); an UnregisteredEvent without a class. */
export function finishEvent(
  target: Record<string, unknown>,
  cls: EventClass | undefined,
  originatorId: string,
  version: number,
  topic: string,
): DomainEvent {
  target['originatorId'] = originatorId
  target['originatorVersion'] = version
  return cls === undefined
    ? UnregisteredEvent.fromStored(topic, target)
    : (target as unknown as DomainEvent)
}

/**
 * A format 2 text's fields and hash onto `target`; with `checks`, checks[i] says whether the
 * text with the row's id, version and topic put back hashes to `hash`.
 */
export function decodeChecked(
  text: string,
  a: number,
  b: number,
  c: number,
  hash: string,
  target: Record<string, unknown>,
  originatorId: string,
  version: number,
  topic: string,
  checks: Uint8Array | undefined,
  i: number,
): void {
  assignCanonical(text, a, b, c, target)
  target['hash'] = hash
  if (checks !== undefined) {
    const canonical = canonicalTextOf(text, a, b, c, originatorId, version, topic)
    checks[i] = sha256Hex(canonical) === hash ? HASH_MATCHES : HASH_DIFFERS
  }
}

/**
 * The fields of a format 2 text onto `fields` (tagged values revived), its offsets checked
 * against it: they say where the row's id, version and topic go back in for the hash.
 */
export function assignCanonical(
  text: string,
  a: number,
  b: number,
  c: number,
  fields: Record<string, unknown>,
): void {
  if (!(a <= b && b <= c && c <= text.length))
    throw new DataIntegrityError('format 2 state has offsets outside its text')
  let parsed: unknown
  try {
    parsed = parseCanonical(text)
  } catch (error) {
    throw new DataIntegrityError(
      `stored state is not valid format 2 JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    )
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new DataIntegrityError('format 2 state holds no event fields')
  Object.assign(fields, parsed)
}

/** Any failure while decoding a record, as a DataIntegrityError naming it. */
export function asIntegrityError(error: unknown, record: StoredRecord): Error {
  if (error instanceof DataIntegrityError) {
    if (error.details.originatorId) return error
    return new DataIntegrityError(`${describe(record)}: ${error.message}`, where(record), {
      cause: error,
    })
  }
  if (error instanceof EventSourcingError) return error
  return new DataIntegrityError(
    `${describe(record)} cannot be decoded: ${(error as Error).message}`,
    where(record),
    { cause: error },
  )
}

export function where(record: StoredRecord): {
  originatorId: string
  originatorVersion: number
  problem: 'undecodable'
} {
  return {
    originatorId: record.originatorId,
    originatorVersion: record.originatorVersion,
    problem: 'undecodable',
  }
}

export function describe(record: StoredRecord): string {
  return `record ${record.originatorId} v${record.originatorVersion} (${record.topic})`
}
