/**
 * What "verified" means for a run of stored events: versions contiguous, each event linked to
 * the one before it (previousHash), each event's contents matching its hash; a snapshot linked
 * to the stored event at its version; and nothing recorded (by the aggregate index) beyond the
 * newest stored event. Every check here costs no extra round trip per event.
 */
import { type DomainEvent, eventHashMatches } from '../domain/events'
import { DataIntegrityError, type IntegrityProblem } from '../errors'
import { HASH_DIFFERS, HASH_MATCHES, HASH_UNCHECKED } from '../persistence/mapper'
import type { AggregateRecorder, ApplicationRecorder } from '../persistence/recorder'
import type { EventStore } from './eventStore'

/** What the aggregate index recorded for one aggregate. */
export interface IndexedAggregate {
  readonly version: number
  /** The aggregate class topic (from its creation event). */
  readonly aggregateTopic: string
}

/** Looks an aggregate up in the index; undefined when the index does not know it. */
export type AggregateIndex = (originatorId: string) => Promise<IndexedAggregate | undefined>

/** The index of an application recorder: one index row, read by an exact id prefix. */
export function aggregateIndexOf(recorder: ApplicationRecorder): AggregateIndex {
  return async (originatorId) => {
    const { items } = await recorder.listAggregates({
      limit: 1,
      idPrefix: originatorId,
      order: 'id',
    })
    const entry = items[0]
    return entry?.originatorId === originatorId
      ? { version: entry.version, aggregateTopic: entry.aggregateTopic }
      : undefined
  }
}

/** One problem found: the aggregate, the first bad version, and what is wrong there. */
export interface ChainProblem {
  readonly originatorId: string
  readonly version: number
  readonly problem: IntegrityProblem
  readonly message: string
}

export function integrityError(p: ChainProblem): DataIntegrityError {
  return new DataIntegrityError(p.message, {
    originatorId: p.originatorId,
    originatorVersion: p.version,
    problem: p.problem,
  })
}

/**
 * Follows a run of events of one aggregate in ascending order. `accept` throws at the first
 * problem; `inspect` reports it and re-synchronises on the event, so a whole-history check can
 * go on and list every problem.
 */
export class ChainCheck {
  private next: number
  /** The hash the next event must link to; undefined when unknown (after an unreadable event). */
  private previousHash: string | undefined

  constructor(
    readonly originatorId: string,
    from: { readonly version: number; readonly previousHash: string | undefined },
    private readonly checkHashes = true,
  ) {
    this.next = from.version
    this.previousHash = from.previousHash
  }

  /** The hash the next event must link to (the event before a range, read to link it). */
  link(previousHash: string): void {
    this.previousHash = previousHash
  }

  /** The version the next event must have. */
  get expectedVersion(): number {
    return this.next
  }

  /** `check`: what decoding found of the event's hash (HASH_UNCHECKED: check it here). */
  accept(event: DomainEvent, check = HASH_UNCHECKED): void {
    const problem = this.inspect(event, check)
    if (problem) throw integrityError(problem)
  }

  inspect(event: DomainEvent, check = HASH_UNCHECKED): ChainProblem | undefined {
    const version = event.originatorVersion
    const expected = this.next
    const linkTo = this.previousHash
    this.next = version + 1
    this.previousHash = event.hash
    if (version !== expected) return this.missing(expected, version)
    if (!this.checkHashes) return undefined
    if (linkTo !== undefined && event.previousHash !== linkTo) {
      return {
        originatorId: this.originatorId,
        version,
        problem: 'unlinked',
        message: `hash chain broken at version ${version} of ${this.originatorId}: it does not follow the event before it`,
      }
    }
    if (!hashMatches(event, check)) {
      return {
        originatorId: this.originatorId,
        version,
        problem: 'tampered',
        message: `hash chain broken at version ${version} of ${this.originatorId}: the event's contents do not match its hash`,
      }
    }
    return undefined
  }

  /** An event that could not be read at all: reported, and the chain goes on after it. */
  skipUnreadable(version: number, message: string): ChainProblem {
    const expected = this.next
    this.next = version + 1
    this.previousHash = undefined
    if (version !== expected) return this.missing(expected, version)
    return { originatorId: this.originatorId, version, problem: 'undecodable', message }
  }

  /** Throws when the run stopped before `lastVersion` (the versions after it are missing). */
  reached(lastVersion: number): void {
    if (this.next <= lastVersion) throw integrityError(this.missing(this.next, undefined))
  }

  private missing(expected: number, found: number | undefined): ChainProblem {
    // A version another program wrote that is no whole number past the last (text, a
    // fraction, one out of order): said as it is, not as a range of missing versions.
    if (found !== undefined && !(Number.isSafeInteger(found) && found > expected)) {
      return {
        originatorId: this.originatorId,
        version: expected,
        problem: 'undecodable',
        message: `the ${expected === 0 ? 'first stored event' : `stored event after version ${expected - 1}`} of ${this.originatorId} has the version ${JSON.stringify(found)}, which is not the next version (a whole number from ${expected})`,
      }
    }
    const range =
      found === undefined || found === expected + 1
        ? `version ${expected}`
        : `versions ${expected}–${found - 1}`
    return {
      originatorId: this.originatorId,
      version: expected,
      problem: 'missing',
      message: `${range} of ${this.originatorId} ${range.startsWith('versions') ? 'are' : 'is'} missing from the store${found === undefined ? '' : ` (the next stored event is version ${found})`}`,
    }
  }

  /**
   * One instance kept for the process's lifetime. V8 keeps the hidden class an instance ends
   * its constructor with only while one lives: after a full garbage collection between two
   * replays it was gone, and the optimised code of `accept` and of the replay loop it is
   * inlined into was thrown away ("weak objects"), so the next replay started unoptimised.
   */
  static readonly shapeAnchor = new ChainCheck('', { version: 0, previousHash: '' })
}

/** An event's hash against its contents, unless its decoding checked it already. */
function hashMatches(event: DomainEvent, check: number): boolean {
  if (check === HASH_MATCHES) return true
  return check !== HASH_DIFFERS && eventHashMatches(event)
}

/**
 * Checks that a snapshot at `snapshotVersion` belongs to this history: the stored event at its
 * version exists, matches its own hash, and has the hash the snapshot's aggregate last applied.
 * `recordedHash` is that hash as the snapshot's state holds it, or `null` for a snapshot with no
 * state (a discarded aggregate's): a state that holds no hash (undefined, or not a string) is
 * not linked to anything, so it is reported, never trusted.
 */
export function snapshotLinkProblem(
  originatorId: string,
  snapshotVersion: number,
  recordedHash: string | null | undefined,
  event: DomainEvent | undefined,
  checkHashes = true,
  check = HASH_UNCHECKED,
): ChainProblem | undefined {
  const at = { originatorId, version: snapshotVersion }
  if (!event || event.originatorVersion !== snapshotVersion) {
    return {
      ...at,
      problem: 'missing',
      message: `version ${snapshotVersion} of ${originatorId} is missing from the store: the snapshot at that version has no event to link to`,
    }
  }
  if (!checkHashes) return undefined
  if (recordedHash !== null && typeof recordedHash !== 'string') {
    return {
      ...at,
      problem: 'unlinked',
      message: `the snapshot at version ${snapshotVersion} of ${originatorId} holds no hash of its last event, so it cannot be linked to the stored event at that version`,
    }
  }
  if (recordedHash !== null && recordedHash !== event.hash) {
    return {
      ...at,
      problem: 'unlinked',
      message: `the snapshot at version ${snapshotVersion} of ${originatorId} does not link to the stored event at that version (their hashes differ)`,
    }
  }
  if (!hashMatches(event, check)) {
    return {
      ...at,
      problem: 'tampered',
      message: `hash chain broken at version ${snapshotVersion} of ${originatorId}: the event's contents do not match its hash`,
    }
  }
  return undefined
}

/**
 * The newest stored version must be what the index recorded: a lost tail (events deleted
 * together with their snapshots) is an error, not a smaller aggregate. `reached` is the newest
 * version a read found (-1: none). Reads one more row only when the index is ahead (a writer may
 * have stored more since the read: that is not a loss) or when `probe` asks whether anything is
 * stored beyond `reached` (a read that stopped short of the version it was asked for).
 */
export async function tailProblem(
  recorder: AggregateRecorder,
  indexed: IndexedAggregate | undefined,
  originatorId: string,
  reached: number,
  probe = false,
): Promise<ChainProblem | undefined> {
  const indexAhead = indexed !== undefined && indexed.version > reached
  if (!indexAhead && !probe) return undefined
  const [next] = await recorder.select(originatorId, { gt: reached, limit: 1 })
  if (next?.originatorVersion === reached + 1) return undefined
  if (next === undefined && !indexAhead) return undefined
  const missingTo = next === undefined ? indexed!.version : next.originatorVersion - 1
  const one = missingTo === reached + 1
  const range = one ? `version ${reached + 1}` : `versions ${reached + 1}–${missingTo}`
  return {
    originatorId,
    version: reached + 1,
    problem: 'missing',
    message:
      next === undefined
        ? `${range} of ${originatorId} ${one ? 'is' : 'are'} missing: the aggregate index records version ${indexed!.version}, but the newest stored event is ${reached < 0 ? 'none' : `version ${reached}`}`
        : `${range} of ${originatorId} ${one ? 'is' : 'are'} missing from the store (the next stored event is version ${next.originatorVersion})`,
  }
}

/**
 * Events stored beyond what the log records (the aggregate index follows the log), or of an
 * aggregate it does not know at all: written around the log, so the aggregate list and the
 * live view never showed them. A save in flight looks the same for a moment (Cassandra writes
 * the index cells after the events), so the index is read again, and once more after
 * `settleMs`, before that is reported.
 */
export async function unlistedProblem(
  index: AggregateIndex,
  indexed: IndexedAggregate | undefined,
  originatorId: string,
  lastVersion: number,
  settleMs: number,
): Promise<ChainProblem | undefined> {
  const covers = (entry: IndexedAggregate | undefined): boolean =>
    entry !== undefined && entry.version >= lastVersion
  if (lastVersion < 0 || covers(indexed)) return undefined
  let known = await index(originatorId)
  if (!covers(known) && settleMs > 0) {
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    known = await index(originatorId)
  }
  if (covers(known)) return undefined
  const from = known === undefined ? 0 : known.version + 1
  const one = from === lastVersion
  const range = one ? `version ${from}` : `versions ${from}–${lastVersion}`
  const them = one ? 'it' : 'them'
  return {
    originatorId,
    version: from,
    problem: 'unlisted',
    message:
      `${range} of ${originatorId} ${one ? 'is' : 'are'} stored, but ` +
      (known === undefined
        ? 'the aggregate index does not know the aggregate'
        : `the aggregate index records version ${known.version}`) +
      `: no log entry covers ${them}, so the aggregate list and the live view do not show ${them} ` +
      '(events written around the log, or a save whose log entry was lost)',
  }
}

export interface VerifiedRange {
  readonly fromVersion: number
  /** The last version the range must reach (the caller knows it is stored). */
  readonly toVersion: number
  /**
   * Records per read; one more per read when fromVersion > 0 (the event before `fromVersion`
   * rides in the first read, and the read size is set once for the whole range).
   */
  readonly pageSize?: number
  readonly signal?: AbortSignal
}

/**
 * Ascending pages of the events in [fromVersion, toVersion], each checked: contiguous, linked
 * to the one before (the event at fromVersion − 1 is read in the same range read, so a page
 * links to the history before it), matching its hash. A range that ends early raises
 * DataIntegrityError naming the first missing version.
 */
export async function* verifiedPages(
  eventStore: EventStore,
  originatorId: string,
  range: VerifiedRange,
): AsyncGenerator<DomainEvent[]> {
  const { fromVersion, toVersion } = range
  if (toVersion < fromVersion) return
  const chain = new ChainCheck(originatorId, {
    version: fromVersion,
    previousHash: fromVersion === 0 ? '' : undefined,
  })
  let anchorPending = fromVersion > 0
  for await (const { events: page, checks } of eventStore.checkedPages(originatorId, true, {
    ...(fromVersion > 0 ? { gt: fromVersion - 2 } : {}),
    lte: toVersion,
    ...(range.pageSize === undefined ? {} : { pageSize: range.pageSize + (anchorPending ? 1 : 0) }),
    ...(range.signal ? { signal: range.signal } : {}),
  })) {
    let i = 0
    if (anchorPending) {
      anchorPending = false
      const anchor = page[0]!
      if (anchor.originatorVersion !== fromVersion - 1) {
        // The event before the range is missing: nothing in the range links to the history.
        const before = new ChainCheck(originatorId, {
          version: fromVersion - 1,
          previousHash: undefined,
        })
        before.accept(anchor, checks?.[0])
      }
      chain.link(anchor.hash)
      i = 1
    }
    for (let j = i; j < page.length; j++) chain.accept(page[j]!, checks?.[j])
    yield i === 0 ? page : page.slice(i)
  }
  if (anchorPending) {
    throw integrityError({
      originatorId,
      version: fromVersion - 1,
      problem: 'missing',
      message: `version ${fromVersion - 1} of ${originatorId} is missing from the store`,
    })
  }
  chain.reached(toVersion)
}
