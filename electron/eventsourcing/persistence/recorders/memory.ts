import type {
  AggregateListQuery,
  AggregateRecorder,
  AggregateSummary,
  ApplicationRecorder,
  LogEntry,
  LogQuery,
  Page,
  RecordQuery,
  Store,
  StoredRecord,
} from '../recorder'
import {
  aggregateTopicOf,
  checkBatch,
  checkBatches,
  concurrencyError,
  decodeToken,
  encodeToken,
  normalizeIdPrefix,
} from './common'

/** Records in process memory: for unit tests and demos. Same semantics as the real stores. */
export class MemoryAggregateRecorder implements AggregateRecorder {
  protected readonly partitions = new Map<string, StoredRecord[]>()

  async insert(records: readonly StoredRecord[]): Promise<void> {
    this.insertNow([records])
  }

  async insertBatches(batches: readonly (readonly StoredRecord[])[]): Promise<void> {
    if (batches.length > 0) this.insertNow(batches)
  }

  /** All batches are checked before any is written: all or none, like one transaction. */
  protected insertNow(batches: readonly (readonly StoredRecord[])[]): void {
    const checked = checkBatches(batches)
    checked.forEach(({ originatorId, from }, i) => {
      const partition = this.partitions.get(originatorId) ?? []
      const last = partition[partition.length - 1]
      if (last && last.originatorVersion >= from) {
        throw concurrencyError(batches[i]!, last.originatorVersion)
      }
    })
    for (const records of batches) {
      const originatorId = records[0]!.originatorId
      const partition = this.partitions.get(originatorId) ?? []
      // Copies, so a caller mutating its buffers cannot change what was stored.
      for (const r of records) partition.push({ ...r, state: Uint8Array.from(r.state) })
      this.partitions.set(originatorId, partition)
      this.afterInsert(records)
    }
  }

  /** Written with the records (the log and the index). */
  protected afterInsert(_records: readonly StoredRecord[]): void {}

  async *storedOriginatorIds(): AsyncIterable<readonly string[]> {
    yield [...this.partitions.keys()]
  }

  async selectVersions(originatorId: string, query: RecordQuery = {}): Promise<number[]> {
    return (await this.select(originatorId, query)).map((r) => r.originatorVersion)
  }

  async select(originatorId: string, query: RecordQuery = {}): Promise<StoredRecord[]> {
    const partition = this.partitions.get(originatorId) ?? []
    // Partitions are sorted by version: find the range by binary search, like a clustering key,
    // so a read near the end of a 100,000-event aggregate does not walk all of it.
    const low = Math.max(query.gt === undefined ? -Infinity : query.gt + 1, query.gte ?? -Infinity)
    const high = Math.min(query.lt === undefined ? Infinity : query.lt - 1, query.lte ?? Infinity)
    const start = lowerBound(partition, low)
    const end = lowerBound(partition, high + 1)
    if (end <= start) return []
    const limit = query.limit ?? end - start
    return query.desc
      ? partition.slice(Math.max(start, end - limit), end).reverse()
      : partition.slice(start, Math.min(end, start + limit))
  }
}

interface MemoryAggregateRow {
  originatorId: string
  aggregateTopic: string
  createdAt: Date
  lastModified: Date
  version: number
  lastTopic: string
  seq: number
}

export class MemoryApplicationRecorder
  extends MemoryAggregateRecorder
  implements ApplicationRecorder
{
  private readonly log: LogEntry[] = []
  private readonly aggregates = new Map<string, MemoryAggregateRow>()
  private seq = 0

  protected override afterInsert(records: readonly StoredRecord[]): void {
    const { originatorId, from, to } = checkBatch(records)
    const now = new Date()
    this.log.push({
      position: String(this.log.length + 1).padStart(12, '0'),
      originatorId,
      fromVersion: from,
      toVersion: to,
      topics: records.map((r) => r.topic),
      recordedAt: now,
    })
    const existing = this.aggregates.get(originatorId)
    this.aggregates.set(originatorId, {
      originatorId,
      aggregateTopic: existing?.aggregateTopic ?? aggregateTopicOf(records),
      createdAt: existing?.createdAt ?? now,
      lastModified: now,
      version: to,
      lastTopic: records[records.length - 1]?.topic ?? '',
      seq: ++this.seq,
    })
  }

  async selectLog(query: LogQuery): Promise<LogEntry[]> {
    if (query.desc) {
      const end = query.before === undefined ? this.log.length : Number(query.before) - 1
      return this.log.slice(Math.max(0, end - query.limit), Math.max(0, end)).reverse()
    }
    const start = query.after === undefined ? 0 : Number(query.after)
    return this.log.slice(start, start + query.limit)
  }

  async listAggregates(query: AggregateListQuery): Promise<Page<AggregateSummary>> {
    const prefix = normalizeIdPrefix(query)
    const rows = [...this.aggregates.values()].filter(
      (r) =>
        (prefix === undefined || r.originatorId.startsWith(prefix)) &&
        (query.aggregateTopic === undefined || r.aggregateTopic === query.aggregateTopic),
    )
    const byId = query.order === 'id'
    rows.sort((a, b) => (byId ? cmp(a.originatorId, b.originatorId) : b.seq - a.seq))
    const keyOf = (r: MemoryAggregateRow): string | number => (byId ? r.originatorId : r.seq)
    const token =
      query.pageToken === undefined
        ? undefined
        : decodeToken(
            query.pageToken,
            (v): v is { k: string | number; b?: true } =>
              typeof v === 'object' && v !== null && 'k' in v,
          )
    const backward = token ? token.b === true : query.from === 'end'
    // Where the page starts and ends in the whole (filtered) list.
    let from = 0
    let to = rows.length
    if (token !== undefined) {
      const after = (r: MemoryAggregateRow) =>
        byId ? r.originatorId > String(token.k) : r.seq < Number(token.k)
      const split = rows.findIndex(after)
      const at = split === -1 ? rows.length : split
      if (backward) to = at - (at > 0 && keyOf(rows[at - 1]!) === token.k ? 1 : 0)
      else from = at
    }
    if (backward) from = Math.max(from, to - query.limit)
    else to = Math.min(to, from + query.limit)
    const items = rows.slice(from, to)
    const first = items[0]
    const last = items[items.length - 1]
    return {
      items: items.map(({ seq: _seq, ...summary }) => summary),
      ...(last && to < rows.length ? { nextPageToken: encodeToken({ k: keyOf(last) }) } : {}),
      ...(first && from > 0 ? { prevPageToken: encodeToken({ k: keyOf(first), b: true }) } : {}),
    }
  }

  async countAggregates(): Promise<number> {
    return this.aggregates.size
  }
}

/** The index of the first record whose version is ≥ version. */
function lowerBound(partition: readonly StoredRecord[], version: number): number {
  let lo = 0
  let hi = partition.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (partition[mid]!.originatorVersion < version) lo = mid + 1
    else hi = mid
  }
  return lo
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export function createMemoryStore(): Store {
  return {
    kind: 'memory',
    description: 'in-memory (nothing is kept after exit)',
    events: new MemoryApplicationRecorder(),
    snapshots: new MemoryAggregateRecorder(),
    close: async () => {},
  }
}
