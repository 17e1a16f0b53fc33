/**
 * Verify whole history's check of what each snapshot holds: the aggregate replayed from its
 * events beside the walk, and each snapshot's state compared with the replay at its version.
 * A snapshot's link (the hash it records) proves only which event it stands on; an edited
 * state keeps that link, and without a cipher nothing else protects it.
 */
import { isDeepStrictEqual } from 'node:util'
import { aggregateState, type Aggregate } from '../domain/aggregate'
import type { DomainEvent } from '../domain/events'
import type { JsonTranscoder } from '../persistence/transcoder'
import type { Snapshot } from './snapshotStrategy'
import type { ChainProblem } from './verification'

export class SnapshotStates {
  private aggregate: Aggregate | undefined
  /** False once an event could not be applied: later states cannot be known. */
  private replaying: boolean
  compared = 0

  /** `replayable`: the aggregate's class is registered (its events can be applied). */
  constructor(
    private readonly transcoder: JsonTranscoder,
    private readonly originatorId: string,
    replayable: boolean,
  ) {
    this.replaying = replayable
  }

  /** Applies an event that passed the chain check. */
  apply(event: DomainEvent): void {
    if (!this.replaying) return
    try {
      this.aggregate = (event.mutate(this.aggregate ?? null) as Aggregate | null) ?? undefined
    } catch {
      // The class cannot apply its own stored event (a changed module, say): not a property of
      // the store, and nothing after it can be compared.
      this.stop()
    }
  }

  /** An event that failed its check (or could not be read): the replay cannot go past it. */
  stop(): void {
    this.replaying = false
    this.aggregate = undefined
  }

  /** The problem, if the snapshot at the replay's version holds another state. */
  compare(snapshot: Snapshot): ChainProblem | undefined {
    const aggregate = this.aggregate
    if (!this.replaying || aggregate?.version !== snapshot.originatorVersion) return undefined
    this.compared += 1
    const replayed = aggregate.isDiscarded ? null : aggregateState(aggregate)
    if (replayed === null || snapshot.state === null) {
      if (replayed === snapshot.state) return undefined
      return this.problem(
        snapshot,
        replayed === null
          ? 'it holds a state, the replay is discarded'
          : 'it says discarded, the replay is not',
      )
    }
    if (isDeepStrictEqual(replayed, snapshot.state)) return undefined
    // What the stored form cannot hold (-0, an undefined field) differs in the objects alone:
    // compared again after the replay's state made the same round trip as the snapshot's.
    const roundTrip = this.transcoder.decode(this.transcoder.encode(replayed)) as Record<
      string,
      unknown
    >
    if (isDeepStrictEqual(roundTrip, snapshot.state)) return undefined
    const keys = new Set([...Object.keys(roundTrip), ...Object.keys(snapshot.state)])
    const differing = [...keys].filter((k) => !isDeepStrictEqual(roundTrip[k], snapshot.state![k]))
    const shown = differing.slice(0, 3).join(', ') + (differing.length > 3 ? ', …' : '')
    return this.problem(snapshot, `another value of ${shown}`)
  }

  private problem(snapshot: Snapshot, what: string): ChainProblem {
    const version = snapshot.originatorVersion
    return {
      originatorId: this.originatorId,
      version,
      problem: 'tampered',
      message: `the snapshot at version ${version} of ${this.originatorId} does not hold what a replay of its events gives (${what}): its state was changed after it was taken`,
    }
  }
}
