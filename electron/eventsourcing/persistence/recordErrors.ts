/** The DataIntegrityError that names the record a decoding failure came from. */
import { DataIntegrityError, EventSourcingError } from '../errors'
import type { StoredRecord } from './recorder'

export const NONE = new Uint8Array(0)

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
