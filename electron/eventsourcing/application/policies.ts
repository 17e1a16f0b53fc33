import type { EventBatch } from '../domain/aggregate'
import { WriteRefused } from '../errors'
import type { StoredRecord } from '../persistence/recorder'
import type { ReplayResult, Repository } from './repository'

/** The snapshots of one aggregate that one attempt was to take (after a save, or a load's catch-up). */
export interface SnapshotAttempt {
  readonly originatorId: string
  readonly versions: readonly number[]
}

/** What the snapshotting policy reports instead of failing a save whose events are stored. */
export type SnapshotFailureHandler = (error: unknown, failed: SnapshotAttempt) => void

/** Told when snapshots were stored: a consumer that keeps failures knows they have stopped. */
export type SnapshotsTakenHandler = (taken: SnapshotAttempt) => void

/**
 * How the policy reports what it did, instead of logging: a snapshot is an optimisation, so
 * neither outcome reaches the caller of the save or the load.
 */
export interface SnapshotHooks {
  /** Default: a console warning. */
  readonly onFailure?: SnapshotFailureHandler | undefined
  readonly onTaken?: SnapshotsTakenHandler | undefined
}

/**
 * After a save is committed (Application.save calls `afterSave`), takes a snapshot at every event whose `(version + 1) % period` is
 * zero (the seed's ExampleSnapshottingPolicy, period 2 there). A snapshot is an optimisation:
 * when taking one fails (a timeout, a node down), the batch is already stored, so the failure
 * goes to `onFailure` and the save still succeeds — rejecting it would invite a caller to store
 * the same change twice.
 *
 * A snapshot not taken (that failure, a crash or a closed store between the batch and its
 * snapshot, a store written with another period) is taken later: every replay that starts from
 * a snapshot (or from nothing) and passes a due version with no snapshot takes the missing ones,
 * the newest MAX_MISSED_PER_REPLAY of them, before it returns. Its own failures go to `onFailure`
 * too; the replay's result stands.
 */
export class SnapshottingPolicy {
  /** Aggregates whose missed snapshots are being taken: one catch-up each at a time. */
  private readonly catchingUp = new Set<string>()

  private readonly onFailure: SnapshotFailureHandler
  private readonly onTaken: SnapshotsTakenHandler | undefined

  constructor(
    private readonly repository: Repository,
    readonly period: number,
    hooks: SnapshotHooks = {},
    takeMissed = true,
  ) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`snapshot period must be a positive integer, not ${period}`)
    }
    this.onFailure = hooks.onFailure ?? warnSnapshotFailure
    this.onTaken = hooks.onTaken
    if (takeMissed) repository.observeReplays((id, result) => this.takeMissed(id, result))
  }

  /** The due versions a replay passed without a snapshot: after its snapshot, up to where it got. */
  missedVersions(result: ReplayResult): number[] {
    const reached = result.aggregate?.version
    if (reached === undefined) return []
    const from = result.snapshot?.originatorVersion ?? -1
    const missed: number[] = []
    // The newest first: the one that saves the most replay.
    let version = reached - ((reached + 1) % this.period)
    while (version > from && missed.length < MAX_MISSED_PER_REPLAY) {
      missed.push(version)
      version -= this.period
    }
    return missed.reverse()
  }

  private async takeMissed(originatorId: string, result: ReplayResult): Promise<void> {
    if (this.catchingUp.has(originatorId)) return
    await this.take(originatorId, this.missedVersions(result))
  }

  /**
   * Takes snapshots of one aggregate at `versions` (a caller's own catch-up: the explorer's
   * time travel finds missing ones without a library replay). Never throws: the outcome goes
   * to the hooks, as a save's does.
   */
  async take(originatorId: string, versions: readonly number[]): Promise<void> {
    if (versions.length === 0) return
    // Its replay is not a load that should catch up too (it would take these very versions).
    const alreadyCatchingUp = this.catchingUp.has(originatorId)
    this.catchingUp.add(originatorId)
    try {
      await this.repository.takeSnapshots(originatorId, versions)
      this.reportTaken({ originatorId, versions })
    } catch (error) {
      // A store this application may not write (read-only, a key mismatch): nothing to report.
      if (!(error instanceof WriteRefused)) this.report(error, { originatorId, versions })
    } finally {
      if (!alreadyCatchingUp) this.catchingUp.delete(originatorId)
    }
  }

  isTrigger(version: number): boolean {
    return (version + 1) % this.period === 0
  }

  /**
   * The post-commit step of a save: the snapshots due at the stored events. Never throws: every
   * failure goes to `onFailure` (the events are stored; the next load takes what was missed).
   */
  async afterSave(batch: EventBatch): Promise<void> {
    const due = new Map<string, number[]>()
    // The first version each aggregate's batch stored (the batch is in version order).
    const firstVersion = new Map<string, number>()
    for (const event of batch) {
      if (!firstVersion.has(event.originatorId)) {
        firstVersion.set(event.originatorId, event.originatorVersion)
      }
      if (this.isTrigger(event.originatorVersion)) {
        const versions = due.get(event.originatorId) ?? []
        versions.push(event.originatorVersion)
        due.set(event.originatorId, versions)
      }
    }
    // Each aggregate's snapshots are made from its stored events; all of them are then stored
    // together (one transaction where the store can: one sync of the disk for a whole save).
    const made: { originatorId: string; versions: number[]; records: StoredRecord[] }[] = []
    for (const [originatorId, versions] of due) {
      // Its own replay is not a load that should catch up (it would take these very versions).
      const alreadyCatchingUp = this.catchingUp.has(originatorId)
      this.catchingUp.add(originatorId)
      try {
        const records =
          (await this.repository.snapshotRecordsOfNew(
            originatorId,
            firstVersion.get(originatorId)!,
            versions,
          )) ?? (await this.repository.snapshotRecordsAt(originatorId, versions))
        made.push({ originatorId, versions, records })
      } catch (error) {
        this.report(error, { originatorId, versions })
      } finally {
        if (!alreadyCatchingUp) this.catchingUp.delete(originatorId)
      }
    }
    if (made.length === 0) return
    try {
      await this.repository.putSnapshotRecords(made.flatMap((m) => m.records))
    } catch (error) {
      for (const { originatorId, versions } of made) this.report(error, { originatorId, versions })
      return
    }
    for (const { originatorId, versions } of made) this.reportTaken({ originatorId, versions })
  }

  /** A handler that throws must not fail the save or the load: its events are stored. */
  private report(error: unknown, failed: SnapshotAttempt): void {
    try {
      this.onFailure(error, failed)
    } catch (handlerError) {
      warnSnapshotFailure(error, failed)
      console.warn('the snapshot failure handler failed too:', handlerError)
    }
  }

  private reportTaken(taken: SnapshotAttempt): void {
    try {
      this.onTaken?.(taken)
    } catch (handlerError) {
      console.warn('the snapshots-taken handler failed:', handlerError)
    }
  }

  close(): void {
    this.repository.observeReplays(undefined)
  }
}

/** Missed snapshots one replay takes at most (a store written without snapshots has many). */
export const MAX_MISSED_PER_REPLAY = 8

function warnSnapshotFailure(error: unknown, failed: SnapshotAttempt): void {
  const reason = error instanceof Error ? error.message : String(error)
  console.warn(
    `snapshot of ${failed.originatorId} at version ${failed.versions.join(', ')} not taken (the events are stored): ${reason}`,
  )
}
