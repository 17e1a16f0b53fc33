import { aggregateTopicOfEventTopic } from '../../domain/topics'
import { ConcurrencyError } from '../../errors'
import type { AggregateListQuery, StoredRecord } from '../recorder'

/** Checks a batch before it is written: one originator, consecutive versions, not empty. */
export function checkBatch(records: readonly StoredRecord[]): {
  originatorId: string
  from: number
  to: number
} {
  const first = records[0]
  if (!first) throw new TypeError('a batch must hold at least one record')
  let expected = first.originatorVersion
  for (const record of records) {
    if (record.originatorId !== first.originatorId) {
      throw new TypeError('a batch must hold records of one originator only')
    }
    if (record.originatorVersion !== expected) {
      throw new TypeError(
        `batch versions must be consecutive; expected ${expected}, got ${record.originatorVersion}`,
      )
    }
    expected += 1
  }
  return { originatorId: first.originatorId, from: first.originatorVersion, to: expected - 1 }
}

/** Checks the batches of a multi-originator insert: each as checkBatch, each originator once. */
export function checkBatches(
  batches: readonly (readonly StoredRecord[])[],
): Array<{ originatorId: string; from: number; to: number }> {
  const checked = batches.map(checkBatch)
  const ids = new Set(checked.map((b) => b.originatorId))
  if (ids.size !== checked.length) {
    throw new TypeError('an atomic insert of several batches must hold one batch per originator')
  }
  return checked
}

export function concurrencyError(
  records: readonly StoredRecord[],
  actualVersion?: number,
  cause?: unknown,
): ConcurrencyError {
  const first = records[0]
  const attempted = records.map((r) => r.originatorVersion)
  const id = first?.originatorId ?? '?'
  return new ConcurrencyError(
    `version ${attempted.join(', ')} of ${id} already exists${actualVersion === undefined ? '' : ` (stored version is ${actualVersion})`}: another handle saved first; reload and retry`,
    { originatorId: id, attempted, ...(actualVersion === undefined ? {} : { actualVersion }) },
    cause === undefined ? undefined : { cause },
  )
}

export function aggregateTopicOf(records: readonly StoredRecord[]): string {
  return aggregateTopicOfEventTopic(records[0]?.topic ?? '')
}

/** The smallest string greater than every string with this prefix (for range scans). */
export function prefixUpperBound(prefix: string): string {
  return prefix + '\uffff'
}

export function normalizeIdPrefix(query: AggregateListQuery): string | undefined {
  const prefix = query.idPrefix?.trim().toLowerCase()
  return prefix ? prefix : undefined
}

/** Opaque page tokens: base64url JSON, checked on the way back in. */
export function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

export function decodeToken<T>(token: string, check: (value: unknown) => value is T): T {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
  } catch {
    throw new TypeError('invalid page token')
  }
  if (!check(value)) throw new TypeError('invalid page token')
  return value
}
