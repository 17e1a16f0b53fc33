/** The final verification, by a fresh client: nothing acknowledged lost, nothing phantom. */
import {
  type CassandraApplicationRecorder,
  type CassandraSettings,
  type DomainEvent,
  type LogEntry,
  openStore,
} from '../../electron/eventsourcing'
import { EverythingApplication } from '../../electron/example/everythingApplication'
import type { ExampleAggregateRoot } from '../../electron/example/exampleAggregateRoot'
import { SEED_CIPHER_KEY } from '../../electron/example/seedSettings'
import { aggregateIds, changes } from './ledger'
import { AGGREGATE_TOPIC, say, secs, sleep } from './options'
import { valueOf } from './writers'

// --- verification ------------------------------------------------------------------------------

export interface Verification {
  failures: string[]
  warnings: string[]
  figures: Record<string, number | string>
}

export async function verify(settings: CassandraSettings, writeEnd: number): Promise<Verification> {
  const failures: string[] = []
  const warnings: string[] = []
  const figures: Record<string, number | string> = {}
  const fail = (msg: string): void => {
    if (failures.length < 200) failures.push(msg)
  }
  const store = await openStore({ kind: 'cassandra', ...settings })
  const app = new EverythingApplication({
    store,
    cipherKey: SEED_CIPHER_KEY,
  })
  try {
    const ks = settings.keyspace
    const { session } = store.events as CassandraApplicationRecorder

    // Intents left unconfirmed before any reader repairs them (counted only).
    let pending = 0
    for await (const rows of session.pages(`SELECT status FROM ${ks}.event_log`, [])) {
      for (const row of rows) if (row['status'] !== 1) pending++
    }
    figures.pendingIntentsAtEnd = pending
    say(`verify: ${pending} log row(s) still pending (intents) before readers repair them`)

    // Events, replay, snapshots.
    const stored = new Map<string, number>() // id -> last version
    const lists = new Map<string, DomainEvent[]>()
    let events = 0
    for (const id of aggregateIds) {
      const list = await app.eventStore.list(id)
      if (list.length === 0) continue
      events += list.length
      stored.set(id, list.length - 1)
      lists.set(id, list)
      list.forEach((e, i) => {
        if (e.originatorVersion !== i)
          fail(`${id}: version ${e.originatorVersion} at position ${i} (not contiguous)`)
      })
      const seen = new Map<unknown, number[]>()
      list.forEach((e) =>
        seen.set(valueOf(e), [...(seen.get(valueOf(e)) ?? []), e.originatorVersion]),
      )
      for (const [value, versions] of seen) {
        const change = typeof value === 'string' ? changes.get(value) : undefined
        if (!change || change.id !== id)
          fail(`${id}: phantom event(s) at ${versions.join(',')} (value ${String(value)})`)
        else if (versions.length > 1)
          fail(
            `${id}: change ${String(value)} stored ${versions.length} times (${versions.join(',')})`,
          )
        else if (change.status !== 'acked')
          warnings.push(`${id}: ${String(value)} stored though its writer gave up on it`)
      }
      const plain = await app.repository.replay(id, { useSnapshots: false })
      const fast = await app.repository.replay(id)
      const last = valueOf(list[list.length - 1]!)
      for (const [how, r] of [
        ['without', plain],
        ['with', fast],
      ] as const) {
        const a = r.aggregate as ExampleAggregateRoot | undefined
        if (!a || a.version !== list.length - 1 || a.foo !== last) {
          fail(
            `${id}: replay ${how} snapshots gives version ${a?.version} foo ${String(a?.foo)}, events end at ${list.length - 1} ${String(last)}`,
          )
        }
      }
      const snaps = await store.snapshots.select(id)
      for (const s of snaps)
        if (s.originatorVersion > list.length - 1)
          fail(`${id}: phantom snapshot at version ${s.originatorVersion}`)
    }
    figures.aggregatesStored = stored.size
    figures.eventsStored = events
    let acked = 0
    for (const change of changes.values()) {
      if (change.status !== 'acked') continue
      acked++
      const last = stored.get(change.id)
      if (last === undefined || change.version! > last) {
        fail(
          `LOST: ${change.kind} ${change.value} acknowledged at version ${change.version} of ${change.id}, not stored`,
        )
      }
    }
    // Exactly-once and the acknowledged version, from the events themselves.
    for (const [id, list] of lists) {
      const at = new Map(list.map((e) => [valueOf(e), e.originatorVersion]))
      for (const change of changes.values()) {
        if (change.id !== id || change.status !== 'acked') continue
        const v = at.get(change.value)
        if (v === undefined)
          fail(`LOST: ${change.value} acknowledged (${change.how}) but absent from ${id}`)
        else if (v !== change.version)
          fail(`${change.value} acknowledged at version ${change.version}, stored at ${v}`)
      }
    }
    say(
      `verify: ${acked} acknowledged changes checked against ${events} events of ${stored.size} aggregates; replays verified hash chains`,
    )

    // The application log, newest first (skips in-flight intents), then oldest first.
    const cover = (entries: LogEntry[], label: string, report: (m: string) => void): void => {
      const covered = new Map<string, number[]>()
      const positions = new Set<string>()
      for (const e of entries) {
        if (positions.has(e.position)) report(`log (${label}): position ${e.position} listed twice`)
        positions.add(e.position)
        const last = stored.get(e.originatorId)
        if (
          last === undefined ||
          e.toVersion > last ||
          e.fromVersion < 0 ||
          e.fromVersion > e.toVersion
        ) {
          report(`log (${label}): phantom entry ${e.originatorId} ${e.fromVersion}..${e.toVersion}`)
          continue
        }
        const counts = covered.get(e.originatorId) ?? new Array<number>(last + 1).fill(0)
        for (let v = e.fromVersion; v <= e.toVersion; v++) counts[v]!++
        covered.set(e.originatorId, counts)
      }
      for (const [id, last] of stored) {
        const counts = covered.get(id) ?? new Array<number>(last + 1).fill(0)
        const missing = counts.flatMap((c, v) => (c === 0 ? [v] : []))
        const twice = counts.flatMap((c, v) => (c > 1 ? [v] : []))
        if (missing.length)
          report(
            `log (${label}): ${id} versions ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''} not listed (${missing.length})`,
          )
        if (twice.length)
          report(
            `log (${label}): ${id} versions ${twice.slice(0, 10).join(',')} listed more than once`,
          )
      }
    }
    const readLog = async (desc: boolean): Promise<LogEntry[]> => {
      const out: LogEntry[] = []
      let mark: string | undefined
      for (;;) {
        const page = await store.events.selectLog({
          limit: 500,
          ...(desc ? { desc: true } : {}),
          ...(mark === undefined ? {} : desc ? { before: mark } : { after: mark }),
        })
        out.push(...page)
        if (page.length < 500) return out
        mark = page[page.length - 1]!.position
      }
    }
    const newestFirst = await readLog(true)
    cover(newestFirst, 'newest first', fail)
    figures.logEntries = newestFirst.length
    say(`verify: log newest first lists ${newestFirst.length} entries`)
    // Oldest first stops at an intent still in flight: readers wait for it until it is abandoned
    // (intentTimeoutMs + 2 × maxClockSkewMs old: the writer's clock may differ from theirs).
    const asc0 = Date.now()
    let oldestFirst: LogEntry[] = []
    for (;;) {
      oldestFirst = await readLog(false)
      const problemsNow: string[] = []
      cover(oldestFirst, 'oldest first', (m) => problemsNow.push(m))
      if (problemsNow.length === 0) break
      const abandonedAfter =
        (settings.intentTimeoutMs ?? 60_000) + 2 * (settings.maxClockSkewMs ?? 60_000)
      if (Date.now() - writeEnd > abandonedAfter + 15_000) {
        problemsNow.forEach(fail)
        break
      }
      await sleep(2000)
    }
    figures.ascendingLogHeldBackS = Number(secs(Date.now() - asc0))
    say(
      `verify: log oldest first lists ${oldestFirst.length} entries (complete after waiting ${secs(Date.now() - asc0)} s)`,
    )

    // The aggregate index, by id and by recent change, paged.
    for (const order of ['id', 'recent'] as const) {
      const listed = new Map<string, number>()
      let token: string | undefined
      let pages = 0
      do {
        const page = await store.events.listAggregates({
          limit: 7,
          order,
          ...(token ? { pageToken: token } : {}),
        })
        pages++
        for (const s of page.items) {
          if (listed.has(s.originatorId)) fail(`index (${order}): ${s.originatorId} listed twice`)
          listed.set(s.originatorId, s.version)
          if (s.aggregateTopic !== AGGREGATE_TOPIC)
            fail(`index (${order}): ${s.originatorId} has topic '${s.aggregateTopic}'`)
        }
        token = page.nextPageToken
      } while (token && pages < 10_000)
      for (const [id, v] of listed) {
        const last = stored.get(id)
        if (last === undefined) fail(`index (${order}): phantom aggregate ${id}`)
        else if (v !== last)
          fail(`index (${order}): ${id} listed at version ${v}, stored up to ${last}`)
      }
      for (const id of stored.keys())
        if (!listed.has(id)) fail(`index (${order}): ${id} not listed`)
      say(
        `verify: listAggregates order '${order}' lists ${listed.size} aggregates in ${pages} pages`,
      )
      figures[`listed_${order}`] = listed.size
    }
    const counted = await store.events.countAggregates()
    figures.countAggregates = counted
    const guarded = new Set<string>()
    for await (const rows of session.pages(
      `SELECT originator_id FROM ${ks}.counted_aggregates`,
      [],
    )) {
      for (const row of rows) guarded.add(String(row['originator_id']))
    }
    const unguarded = [...stored.keys()].filter((id) => !guarded.has(id)).length
    figures.countGuards = guarded.size
    figures.countGuardsMissing = unguarded
    if (counted !== stored.size) {
      warnings.push(
        `countAggregates() says ${counted}, ${stored.size} stored; ${guarded.size} aggregates in ` +
          `counted_aggregates, ${unguarded} not (the last counted of each shard may not be yet)`,
      )
    }
  } finally {
    await app.close()
  }
  return { failures, warnings, figures }
}
