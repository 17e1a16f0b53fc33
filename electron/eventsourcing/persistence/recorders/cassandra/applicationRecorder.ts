import type {
  AggregateListQuery,
  AggregateSummary,
  ApplicationRecorder,
  LogEntry,
  Page,
} from '../../recorder'
import { decodeToken, encodeToken, normalizeIdPrefix, prefixUpperBound } from '../common'
import type { Long } from './driver'
import {
  INDEX_COLUMNS,
  indexRow,
  isIdToken,
  isIndexRecentToken,
  isRecentToken,
  shardOf,
  type IdToken,
  type IndexRecentToken,
  type Listed,
  type RecentToken,
} from './indexRows'
import { parsePosition } from './logRows'
import { CassandraLogReader } from './logReader'

/** Log rows one `listAggregates` call may scan before it returns what it found. */
const SCAN_BUDGET = 10_000
/** From this prefix length on, `recent` listing with a prefix reads the index range. */
const INDEX_PREFIX_LENGTH = 4
const SHARDS: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, '0'),
)

export class CassandraApplicationRecorder
  extends CassandraLogReader
  implements ApplicationRecorder
{
  async listAggregates(query: AggregateListQuery): Promise<Page<AggregateSummary>> {
    if (!Number.isInteger(query.limit) || query.limit < 0) {
      throw new TypeError(`limit must be a non-negative integer, not ${query.limit}`)
    }
    if (query.limit === 0) return { items: [] }
    const prefix = normalizeIdPrefix(query)
    // Ids are UUIDs: a prefix with anything else matches nothing.
    if (prefix !== undefined && !/^[0-9a-f-]{1,36}$/.test(prefix)) return { items: [] }
    if (query.order === 'id') return this.listById(query, prefix)
    if (prefix !== undefined && prefix.length >= INDEX_PREFIX_LENGTH)
      return this.listRecentByIndex(query, prefix)
    return this.listRecentByLog(query, prefix)
  }

  private matches(summary: AggregateSummary, query: AggregateListQuery): boolean {
    return query.aggregateTopic === undefined || summary.aggregateTopic === query.aggregateTopic
  }

  /**
   * Newest change first, from the log: an entry counts when it is its aggregate's latest.
   * Backward (toward the newest), the log is read ascending and the page reversed.
   */
  private async listRecentByLog(
    query: AggregateListQuery,
    prefix: string | undefined,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isRecentToken)
    const backward = token ? token.b === 1 : query.from === 'end'
    const from = token === undefined ? undefined : parsePosition(token.p)
    const items: AggregateSummary[] = []
    const seen = new Map<string, Promise<Listed | undefined>>()
    let firstReturned: string | undefined
    let lastReturned: string | undefined
    let lastScanned: string | undefined
    let scanned = 0
    let more = false
    const budget = Math.max(SCAN_BUDGET, query.limit * 20)
    // A listing never waits for a batch in flight: it is listed once stored.
    const scan = this.scanLog(!backward, from, 1000, backward)
    try {
      let done = false
      while (!done) {
        // A chunk of entries, whose index rows are looked up concurrently.
        const chunk: LogEntry[] = []
        while (chunk.length < 64) {
          const next = await scan.next()
          if (next.done) {
            done = true
            break
          }
          if ('blocked' in next.value) continue
          chunk.push(next.value.entry)
        }
        for (const entry of chunk) {
          if (prefix !== undefined && !entry.originatorId.startsWith(prefix)) continue
          if (!seen.has(entry.originatorId)) {
            const lookup = this.lookupIndex(entry.originatorId)
            lookup.catch(() => {}) // awaited below, unless the page fills first
            seen.set(entry.originatorId, lookup)
          }
        }
        for (const entry of chunk) {
          scanned++
          lastScanned = entry.position
          if (prefix !== undefined && !entry.originatorId.startsWith(prefix)) continue
          const listed = await seen.get(entry.originatorId)!
          if (
            !listed ||
            listed.summary.version !== entry.toVersion ||
            !this.matches(listed.summary, query)
          )
            continue
          if (items.length >= query.limit) {
            more = true
            done = true
            break
          }
          items.push(listed.summary)
          firstReturned ??= entry.position
          lastReturned = entry.position
        }
        if (!done && scanned >= budget) {
          more = true
          done = true
        }
      }
    } finally {
      await scan.return(undefined)
    }
    const resume = items.length >= query.limit ? lastReturned : lastScanned
    const further = more && resume !== undefined ? resume : undefined
    // The other way: from the first entry returned (the token's key lies beyond it).
    const back = token !== undefined ? (firstReturned ?? token.p) : undefined
    if (backward) items.reverse()
    const forwardToken = backward ? back : further
    const backwardToken = backward ? further : back
    return {
      items,
      ...(forwardToken !== undefined
        ? { nextPageToken: encodeToken({ o: 'r', p: forwardToken } satisfies RecentToken) }
        : {}),
      ...(backwardToken !== undefined
        ? { prevPageToken: encodeToken({ o: 'r', p: backwardToken, b: 1 } satisfies RecentToken) }
        : {}),
    }
  }

  /** Index rows of the shards a prefix can match, in id order, resolved and filtered. */
  private async *indexRows(
    prefix: string | undefined,
    after: { s: string; id: string } | undefined,
    desc = false,
  ): AsyncGenerator<Listed> {
    const s = this.session
    let shards = SHARDS
    if (prefix !== undefined) {
      shards =
        prefix.length >= 2
          ? SHARDS.filter((x) => x === prefix.slice(0, 2))
          : SHARDS.filter((x) => x.startsWith(prefix))
    }
    if (desc) shards = [...shards].reverse()
    if (after !== undefined) shards = shards.filter((x) => (desc ? x <= after.s : x >= after.s))
    const queryFor = (shard: string): { q: string; params: unknown[] } => {
      const resume = after !== undefined && shard === after.s
      // The resume key lies within the prefix's range: it replaces that bound on its side.
      const lower = resume && !desc ? 'gt' : prefix !== undefined ? 'ge' : 'none'
      const upper = resume && desc ? 'lt-key' : prefix !== undefined ? 'lt' : 'none'
      const dir = desc ? 'DESC' : 'ASC'
      const q = s.cql(`index:range:${lower}:${upper}:${dir}`, (ks) => {
        let text = `SELECT ${INDEX_COLUMNS} FROM ${ks}.aggregates WHERE shard = ?`
        if (lower === 'gt') text += ' AND originator_id > ?'
        if (lower === 'ge') text += ' AND originator_id >= ?'
        if (upper !== 'none') text += ' AND originator_id < ?'
        return `${text} ORDER BY originator_id ${dir}`
      })
      const params: unknown[] = [shard]
      if (lower === 'gt') params.push(after!.id)
      if (lower === 'ge') params.push(prefix)
      if (upper === 'lt-key') params.push(after!.id)
      if (upper === 'lt') params.push(prefixUpperBound(prefix!))
      return { q, params }
    }
    // First pages of a few shards at a time: most shards of a small index are empty.
    const window = 8
    for (let i = 0; i < shards.length; i += window) {
      const group = shards.slice(i, i + window)
      const firsts = group.map((shard) => {
        const { q, params } = queryFor(shard)
        const gen = s.pages(q, params, 1000)
        const first = gen.next()
        first.catch(() => {}) // awaited below, unless the consumer stops first
        return { gen, first }
      })
      for (const { gen, first } of firsts) {
        let page = await first
        while (!page.done) {
          const rows = page.value
          const resolved = await Promise.all(rows.map((row) => this.resolveIndexRow(indexRow(row))))
          for (const listed of resolved) if (listed) yield listed
          page = await gen.next()
        }
      }
    }
  }

  private async listById(
    query: AggregateListQuery,
    prefix: string | undefined,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isIdToken)
    const backward = token ? token.b === 1 : query.from === 'end'
    const items: AggregateSummary[] = []
    let more = false
    let scanned = 0
    let lastScanned: string | undefined
    const budget = Math.max(SCAN_BUDGET, query.limit * 20)
    const rows = this.indexRows(prefix, token, backward)
    try {
      for await (const listed of rows) {
        scanned++
        if (this.matches(listed.summary, query)) {
          if (items.length >= query.limit) {
            more = true
            break
          }
          items.push(listed.summary)
        }
        lastScanned = listed.summary.originatorId
        if (scanned >= budget && items.length < query.limit) {
          more = true
          break
        }
      }
    } finally {
      await rows.return(undefined)
    }
    const resume = items.length >= query.limit ? items[items.length - 1]?.originatorId : lastScanned
    const further = more ? resume : undefined
    const back = token !== undefined ? (items[0]?.originatorId ?? token.id) : undefined
    if (backward) items.reverse()
    const forwardKey = backward ? back : further
    const backwardKey = backward ? further : back
    const tokenOf = (id: string, b?: 1): string =>
      encodeToken({ o: 'i', s: shardOf(id), id, ...(b ? { b } : {}) } satisfies IdToken)
    return {
      items,
      ...(forwardKey !== undefined ? { nextPageToken: tokenOf(forwardKey) } : {}),
      ...(backwardKey !== undefined ? { prevPageToken: tokenOf(backwardKey, 1) } : {}),
    }
  }

  /** Newest change first among the index rows of a narrow prefix (read whole, then sorted). */
  private async listRecentByIndex(
    query: AggregateListQuery,
    prefix: string,
  ): Promise<Page<AggregateSummary>> {
    const token =
      query.pageToken === undefined ? undefined : decodeToken(query.pageToken, isIndexRecentToken)
    const all: Listed[] = []
    for await (const listed of this.indexRows(prefix, undefined)) {
      if (this.matches(listed.summary, query)) all.push(listed)
    }
    const newerFirst = (a: Listed, b: Listed): number =>
      a.ticks !== b.ticks
        ? a.ticks > b.ticks
          ? -1
          : 1
        : a.summary.originatorId > b.summary.originatorId
          ? -1
          : a.summary.originatorId < b.summary.originatorId
            ? 1
            : 0
    all.sort(newerFirst)
    const backward = token ? token.b === 1 : query.from === 'end'
    // Where the page starts and ends in the whole sorted list.
    let from = 0
    let to = all.length
    if (token !== undefined) {
      const key = { ticks: BigInt(token.t), summary: { originatorId: token.id } } as Listed
      const split = all.findIndex((l) => newerFirst(l, key) > 0)
      const at = split === -1 ? all.length : split
      if (backward) to = at - (at > 0 && newerFirst(all[at - 1]!, key) === 0 ? 1 : 0)
      else from = at
    }
    if (backward) from = Math.max(from, to - query.limit)
    else to = Math.min(to, from + query.limit)
    const page = all.slice(from, to)
    const tokenOf = (l: Listed, b?: 1): string =>
      encodeToken({
        o: 'x',
        t: l.ticks.toString(),
        id: l.summary.originatorId,
        ...(b ? { b } : {}),
      } satisfies IndexRecentToken)
    const first = page[0]
    const last = page[page.length - 1]
    return {
      items: page.map((l) => l.summary),
      ...(last && to < all.length ? { nextPageToken: tokenOf(last) } : {}),
      ...(first && from > 0 ? { prevPageToken: tokenOf(first, 1) } : {}),
    }
  }

  /** The sum of the shards' counts (at most 256 rows), plus the legacy counter if there is one. */
  async countAggregates(): Promise<number> {
    // This process's own creations are counted in the background: included, if that is quick.
    await this.settled(2_000)
    const s = this.session
    let total = 0
    for await (const rows of s.pages(
      s.cql('count:all', (ks) => `SELECT n FROM ${ks}.aggregate_counts`),
      [],
      1000,
    )) {
      for (const row of rows) total += (row['n'] as Long | null)?.toNumber() ?? 0
    }
    if (this.legacyCounter) {
      const row = (
        await s.execute(
          s.cql(
            'count:legacy',
            (ks) => `SELECT aggregates FROM ${ks}.aggregate_count WHERE id = 0`,
          ),
          [],
        )
      ).first()
      total += (row?.['aggregates'] as Long | null | undefined)?.toNumber() ?? 0
    }
    return total
  }
}
