import type cassandra from 'cassandra-driver'
import type { AggregateSummary } from '../../recorder'
import type { Long, Row } from './driver'
import { POSITION_PATTERN, uuidTicks } from './logRows'

// The aggregate index's rows (sharded by the id's first two hex characters) and listing tokens.

export interface IndexRow {
  readonly originatorId: string
  readonly aggregateTopic: string | null
  readonly createdAt: Date | null
  readonly lastModified: Date | null
  readonly version: number | null
  readonly lastTopic: string | null
  readonly lastPosition: string | null
  readonly pendingVersion: number | null
  readonly pendingPosition: string | null
}

/** An index row as listed: the summary plus the order key of its last change. */
export interface Listed {
  readonly summary: AggregateSummary
  readonly ticks: bigint
}

export function listedOf(row: IndexRow, version: number): Listed {
  return {
    summary: {
      originatorId: row.originatorId,
      aggregateTopic: row.aggregateTopic ?? '',
      createdAt: row.createdAt ?? row.lastModified ?? new Date(0),
      lastModified: row.lastModified ?? row.createdAt ?? new Date(0),
      version,
      lastTopic: row.lastTopic ?? '',
    },
    ticks: row.lastPosition ? uuidTicks(row.lastPosition) : 0n,
  }
}

export function shardOf(originatorId: string): string {
  return originatorId.slice(0, 2).toLowerCase()
}

function isStr(v: unknown): v is string {
  return typeof v === 'string'
}

// `b: 1`: read backward from the key (toward the start of the list).
export type RecentToken = { o: 'r'; p: string; b?: 1 }
export type IndexRecentToken = { o: 'x'; t: string; id: string; b?: 1 }
export type IdToken = { o: 'i'; s: string; id: string; b?: 1 }

const isDirection = (b: unknown): boolean => b === undefined || b === 1

export function isRecentToken(v: unknown): v is RecentToken {
  const t = v as Partial<RecentToken> | null
  return (
    typeof t === 'object' &&
    t !== null &&
    t.o === 'r' &&
    isStr(t.p) &&
    POSITION_PATTERN.test(t.p) &&
    isDirection(t.b)
  )
}
export function isIndexRecentToken(v: unknown): v is IndexRecentToken {
  const t = v as Partial<IndexRecentToken> | null
  return (
    typeof t === 'object' &&
    t !== null &&
    t.o === 'x' &&
    isStr(t.t) &&
    /^\d+$/.test(t.t) &&
    isStr(t.id) &&
    isDirection(t.b)
  )
}
export function isIdToken(v: unknown): v is IdToken {
  const t = v as Partial<IdToken> | null
  return (
    typeof t === 'object' &&
    t !== null &&
    t.o === 'i' &&
    isStr(t.s) &&
    /^[0-9a-f]{2}$/.test(t.s) &&
    isStr(t.id) &&
    isDirection(t.b)
  )
}

export const INDEX_COLUMNS =
  'originator_id, aggregate_topic, created_at, last_modified, version, last_topic, last_position, pending_version, pending_position'

export function indexRow(row: Row): IndexRow {
  const version = row['version'] as Long | null
  const pendingVersion = row['pending_version'] as Long | null
  const lastPosition = row['last_position'] as cassandra.types.TimeUuid | null
  const pendingPosition = row['pending_position'] as cassandra.types.TimeUuid | null
  return {
    originatorId: row['originator_id'] as string,
    aggregateTopic: (row['aggregate_topic'] as string | null) ?? null,
    createdAt: (row['created_at'] as Date | null) ?? null,
    lastModified: (row['last_modified'] as Date | null) ?? null,
    version: version ? version.toNumber() : null,
    lastTopic: (row['last_topic'] as string | null) ?? null,
    lastPosition: lastPosition ? lastPosition.toString() : null,
    pendingVersion: pendingVersion ? pendingVersion.toNumber() : null,
    pendingPosition: pendingPosition ? pendingPosition.toString() : null,
  }
}
