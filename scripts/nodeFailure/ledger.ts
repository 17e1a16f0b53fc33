/** What the writers did: every logical change, the counters, and the timeline of acks and errors. */
import cassandra from 'cassandra-driver'
import { StoreUnavailable } from '../../electron/eventsourcing'

// --- the ledger --------------------------------------------------------------------------------

export interface Change {
  readonly id: string
  readonly value: string
  readonly writer: string
  readonly kind: 'create' | 'change'
  attempts: number
  status: 'pending' | 'acked' | 'in-doubt'
  how?: 'direct' | 'read-back'
  version?: number
}

export const changes = new Map<string, Change>() // by value
export const aggregateIds = new Set<string>() // every aggregate a writer tried to create
export const problems: string[] = []
export const stats = {
  saves: 0,
  retries: 0,
  conflicts: 0,
  unavailable: 0,
  unmapped: 0,
  loadFailures: 0,
  readBacks: 0,
  landedDespiteError: 0,
  storedButSaveRejected: 0,
  confirmFailures: 0,
  dropFailures: 0,
}
export const errorKinds = new Map<string, number>()
/** Failures the recorder swallows (confirm after the events, drop after a conflict), by kind. */
export const swallowed = new Map<string, number>()
export type Mark = {
  t: number
  kind: 'ack' | 'conflict' | 'error'
  writer: string
  hot: boolean
  error?: string
}
export const marks: Mark[] = []
/** When writing began and when the node was killed (set by the run, read by the report). */
export const runClock: { writeStart: number; killedAt: number | undefined } = {
  writeStart: 0,
  killedAt: undefined,
}

export function note(kind: Mark['kind'], writer: string, hot: boolean, error?: string): void {
  marks.push({ t: Date.now(), kind, writer, hot, ...(error === undefined ? {} : { error }) })
}
/** Paxos contention on the hot partition: a steady state on 2 cores, not caused by the failure. */
export const CONTENTION = 'StoreUnavailable: writeTimeout (CAS)'
/** What rejected save() after its events were stored. */
export const rejectedAfterStore: string[] = []

export function errorKind(error: unknown): string {
  const e = error as Error & { cause?: unknown }
  const detail = (x: unknown): string => {
    if (x instanceof cassandra.errors.ResponseError) {
      const code =
        Object.entries(cassandra.types.responseErrorCodes).find(([, v]) => v === x.code)?.[0] ??
        x.code
      const wt = (x as { writeType?: string }).writeType
      return `${String(code)}${wt ? ` (${wt})` : ''}`
    }
    if (x instanceof cassandra.errors.OperationTimedOutError) return 'client-side timeout'
    if (x instanceof cassandra.errors.NoHostAvailableError) return 'no host available'
    if (x instanceof Error) return `${x.name}: ${x.message.split('\n')[0]!.slice(0, 60)}`
    return String(x)
  }
  if (e instanceof StoreUnavailable) {
    if (/too slow/.test(e.message)) return 'StoreUnavailable: too slow (intent dropped)'
    return `StoreUnavailable: ${e.cause === undefined ? e.message.slice(0, 60) : detail(e.cause)}`
  }
  return `unmapped ${detail(e)}`
}

export function failure(error: unknown, writer: string, hot: boolean): void {
  const kind = errorKind(error)
  errorKinds.set(kind, (errorKinds.get(kind) ?? 0) + 1)
  if (error instanceof StoreUnavailable) stats.unavailable++
  else if (error instanceof cassandra.errors.DriverError) stats.unmapped++
  else problems.push(`${writer}: unexpected ${kind}`)
  note('error', writer, hot, kind)
}

export const backoff = (n: number): number =>
  Math.min(2000, 100 * 2 ** Math.min(n, 5)) * (0.5 + Math.random())
