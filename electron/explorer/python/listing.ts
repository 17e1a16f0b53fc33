/**
 * The aggregate list of a Python `eventsourcing` store: by id through the primary key, or
 * newest change first through the notification log read backwards. Each page's aggregates are
 * looked up in one batch (reader.ends, or with the log rows: reader.recentChanges), so a page
 * costs a few queries, never one per row.
 */
import type { ParsedRequestOf, ResponseOf } from '../../../shared/contract'
import { DataIntegrityError } from '../../eventsourcing'
import { ApiFailure } from '../dispatch'
import type { ListedEvent } from './reader'
import type { PythonSession } from './session'

type Req = ParsedRequestOf<'listAggregates'>

export const EPOCH = new Date(0).toISOString()

/** A page token: the last id listed, base64url (opaque to the UI). */
function encodeToken(afterId: string): string {
  return Buffer.from(afterId, 'utf8').toString('base64url')
}
function decodeToken(token: string): string {
  const text = Buffer.from(token, 'base64url').toString('utf8')
  // `i:` and an id (text ids included), or `r:` and a notification id.
  if (!/^i:.|^r:\d{1,16}$/s.test(text))
    throw new ApiFailure({ code: 'ValidationError', message: 'invalid page token' })
  return text
}
/** How many ids a type filter looks at for one page, at most (Python stores index no types). */
const TYPE_SCAN_BUDGET = 5000

/** The aggregate class topic of an event topic `module:Class.Event`. */
export function aggregateTopicOf(eventTopic: string): string {
  const dot = eventTopic.lastIndexOf('.')
  const colon = eventTopic.indexOf(':')
  return dot > colon ? eventTopic.slice(0, dot) : eventTopic
}

export function shortType(topic: string): string {
  return topic.slice(topic.lastIndexOf('.') + 1)
}

/** An ISO date the contract takes from a Python timestamp; the epoch when there is none. */
export function isoOf(value: unknown): string {
  if (typeof value !== 'string') return EPOCH
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value)) return value
  const parsed = Date.parse(value.includes('T') ? `${value}Z` : value)
  return Number.isNaN(parsed) ? EPOCH : new Date(parsed).toISOString()
}

export async function listAggregates(
  s: PythonSession,
  r: Req,
): Promise<ResponseOf<'listAggregates'>> {
  const token = r.pageToken ? decodeToken(r.pageToken) : undefined
  // Newest change first needs the notification log; an id prefix is a range of ids.
  const recent = r.order === 'recent' && s.reader.hasLog && !r.idPrefix
  const page = recent
    ? await listRecent(s, r, token?.startsWith('r:') ? Number(token.slice(2)) : undefined)
    : await listById(s, r, token?.startsWith('i:') ? token.slice(2) : undefined)
  return {
    items: page.items,
    ...(page.next ? { nextPageToken: encodeToken(page.next) } : {}),
    // No total: counting reads the whole primary key, so it is countAggregates, asked apart.
  }
}

type Listed = ResponseOf<'listAggregates'>['items'][number]

/** A list row from an aggregate's first and newest events (read a page or a chunk at a time). */
function listed(
  s: PythonSession,
  id: string,
  ends: { readonly first: ListedEvent; readonly last: ListedEvent },
): Listed {
  const created = stampOf(s, ends.first)
  return {
    id,
    type: aggregateTopicOf(ends.first.topic),
    version: ends.last.originatorVersion,
    createdAt: created,
    // A one-event history's first event is its newest: decoded once.
    lastModified:
      ends.last.originatorVersion === ends.first.originatorVersion
        ? created
        : stampOf(s, ends.last),
    discarded: false,
  }
}

/**
 * A record's timestamp; null if it cannot be decoded (a wrong key must not hide the list, and
 * an unknown time is not shown as some date).
 */
function stampOf(s: PythonSession, event: ListedEvent): string | null {
  if (event.timestamp !== undefined) return isoOf(event.timestamp)
  if (event.state === undefined) return null
  try {
    return isoOf(s.codec.timestamp({ ...event, state: event.state }))
  } catch (error) {
    if (error instanceof DataIntegrityError) return null
    throw error
  }
}

/** By id through the primary key; a type filter reads at most TYPE_SCAN_BUDGET ids a page. */
async function listById(
  s: PythonSession,
  r: Req,
  start: string | undefined,
): Promise<{ items: Listed[]; next?: string }> {
  let afterId = start
  const items: Listed[] = []
  let scanned = 0
  let more = true
  while (items.length < r.limit && more && scanned < TYPE_SCAN_BUDGET) {
    const page = await s.reader.listAggregates({
      limit: r.type ? Math.min(500, r.limit * 4) : r.limit - items.length,
      ...(afterId ? { afterId } : {}),
      ...(r.idPrefix ? { idPrefix: r.idPrefix } : {}),
    })
    scanned += page.items.length
    more = page.nextAfterId !== undefined
    const taken: string[] = []
    for (const row of page.items) {
      afterId = row.originatorId
      if (r.type && aggregateTopicOf(row.firstTopic) !== r.type) continue
      taken.push(row.originatorId)
      if (items.length + taken.length === r.limit) {
        more = more || row !== page.items[page.items.length - 1]
        break
      }
    }
    const ends = await s.reader.ends(taken)
    for (const id of taken) {
      const found = ends.get(id)
      if (found) items.push(listed(s, id, found))
    }
  }
  return more && afterId ? { items, next: `i:${afterId}` } : { items }
}

const LOG_CHUNK = 500

/**
 * Newest change first: the notification log read backwards (its unique index), each aggregate
 * listed at its newest event and skipped at the older ones; one statement a chunk
 * (reader.recentChanges) marks those rows inside the database and brings their aggregates'
 * first events, so no lookup is made from here. The first chunk is the page's size, later ones
 * grow to LOG_CHUNK. A page reads at most TYPE_SCAN_BUDGET rows; the token is the last row read.
 */
async function listRecent(
  s: PythonSession,
  r: Req,
  start: number | undefined,
): Promise<{ items: Listed[]; next?: string }> {
  let before = start
  const items: Listed[] = []
  let scanned = 0
  let exhausted = false
  let chunk = Math.min(LOG_CHUNK, r.limit)
  while (items.length < r.limit && scanned < TYPE_SCAN_BUDGET && !exhausted) {
    const rows = await s.reader.recentChanges(before, chunk)
    let consumed = 0
    for (const row of rows) {
      consumed += 1
      scanned += 1
      before = row.notificationId
      const ends = row.ends
      if (!ends) continue
      if (r.type && aggregateTopicOf(ends.first.topic) !== r.type) continue
      items.push(listed(s, ends.last.originatorId, ends))
      if (items.length === r.limit) break
    }
    exhausted = rows.length < chunk && consumed === rows.length
    chunk = Math.min(LOG_CHUNK, chunk * 2)
  }
  return !exhausted && before !== undefined ? { items, next: `r:${before}` } : { items }
}
