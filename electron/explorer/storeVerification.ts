/**
 * The Verify actions behind the contract: Verify whole history of one aggregate, and Verify
 * store, which runs it for every aggregate, paged through the aggregate index (never one read
 * of everything), then for every aggregate with stored events that the index did not list
 * (events written around the log). Both only read; the library does the checking
 * (historyVerification.ts).
 */
import type { HistoryVerificationDto, IntegrityProblemDto, ResponseOf } from '../../shared/contract'
import type { Application, ChainProblem, HistoryVerification } from '../eventsourcing'

/** What the Verify actions read through: the application's read API. */
export type VerifyingApplication = Pick<
  Application,
  'verifyHistory' | 'listAggregates' | 'countAggregates' | 'storedOriginatorIds'
>

/** Aggregates read from the index per page. */
const STORE_PAGE = 100
/** Problems listed per aggregate, and for the whole store. */
const PROBLEMS_PER_AGGREGATE = 20
const PROBLEMS_PER_STORE = 1000

export function historyDto(result: HistoryVerification, verifiedAt: Date): HistoryVerificationDto {
  return {
    aggregateId: result.originatorId,
    type: result.aggregateTopic ?? '',
    lastVersion: result.lastVersion,
    eventsChecked: result.eventsChecked,
    snapshotsChecked: result.snapshotsChecked,
    verifiedAt: verifiedAt.toISOString(),
    problems: result.problems.map(problemDto),
    truncated: result.truncated,
  }
}

function problemDto(problem: ChainProblem): IntegrityProblemDto {
  return {
    aggregateId: problem.originatorId,
    version: problem.version,
    kind: problem.problem,
    message: problem.message,
  }
}

export async function verifyWholeHistory(
  app: VerifyingApplication,
  id: string,
  options: { signal: AbortSignal; onProgress?: (done: number, total: number) => void },
): Promise<HistoryVerificationDto> {
  const result = await app.verifyHistory(id, options)
  return historyDto(result, new Date())
}

export async function verifyStore(
  app: VerifyingApplication,
  options: {
    signal: AbortSignal
    /** Aggregates checked so far, and how many the index holds. */
    onProgress?: (done: number, total: number) => void
  },
): Promise<ResponseOf<'verifyStore'>> {
  const total = await app.countAggregates()
  const problems: IntegrityProblemDto[] = []
  let truncated = false
  let aggregatesChecked = 0
  let eventsChecked = 0
  const check = async (id: string): Promise<void> => {
    const result = await app.verifyHistory(id, {
      signal: options.signal,
      maxProblems: PROBLEMS_PER_AGGREGATE,
    })
    aggregatesChecked += 1
    eventsChecked += result.eventsChecked
    truncated ||= result.truncated
    for (const problem of result.problems) {
      if (problems.length < PROBLEMS_PER_STORE) problems.push(problemDto(problem))
      else truncated = true
    }
    options.onProgress?.(aggregatesChecked, Math.max(total, aggregatesChecked))
  }
  // The index first, by id; the ids it listed are kept to tell the unlisted ones apart after.
  const listed = new Set<string>()
  let pageToken: string | undefined
  options.onProgress?.(0, total)
  do {
    options.signal.throwIfAborted()
    const page = await app.listAggregates({
      limit: STORE_PAGE,
      order: 'id',
      ...(pageToken === undefined ? {} : { pageToken }),
    })
    for (const summary of page.items) {
      listed.add(summary.originatorId)
      await check(summary.originatorId)
    }
    pageToken = page.nextPageToken
  } while (pageToken !== undefined)
  // Then every id with stored events (the events table's keys, one seek per id): one the index
  // did not list is verified too, and its history reports it `unlisted` unless it was created
  // meanwhile (verifyHistory reads the index again before saying so).
  for await (const ids of app.storedOriginatorIds() ?? []) {
    options.signal.throwIfAborted()
    for (const id of ids) if (!listed.has(id)) await check(id)
  }
  return {
    aggregatesChecked,
    eventsChecked,
    verifiedAt: new Date().toISOString(),
    problems,
    truncated,
  }
}
