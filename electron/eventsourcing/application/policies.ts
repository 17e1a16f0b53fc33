import type { EventBatch } from '../domain/aggregate'
import { WriteRefused } from '../errors'
import type { StoredRecord } from '../persistence/recorder'
import type { ReplayResult, Repository } from './repository'

/** What the snapshotting policy reports instead of failing a save whose events are stored. */
export type SnapshotFailureHandler = (
  error: unknown,
  failed: { originatorId: string; versions: readonly number[] },
) => void

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

  constructor(
    private readonly repository: Repository,
    readonly period: number,
    private readonly onFailure: SnapshotFailureHandler = warnSnapshotFailure,
    takeMissed = true,
  ) {
    if (!Number.isInteger(period) || period < 1) {
      throw new RangeError(`snapshot period must be a positive integer, not ${period}`)
    }
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
    const versions = this.missedVersions(result)
    if (versions.length === 0) return
    this.catchingUp.add(originatorId)
    try {
      await this.repository.takeSnapshots(originatorId, versions)
    } catch (error) {
      // A store this application may not write (read-only, a key mismatch): nothing to report.
      if (!(error instanceof WriteRefused)) this.onFailure(error, { originatorId, versions })
    } finally {
      this.catchingUp.delete(originatorId)
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
    }
  }

  /** A handler that throws must not fail the save: its events are stored. */
  private report(error: unknown, failed: { originatorId: string; versions: number[] }): void {
    try {
      this.onFailure(error, failed)
    } catch (handlerError) {
      warnSnapshotFailure(error, failed)
      console.warn('the snapshot failure handler failed too:', handlerError)
    }
  }

  close(): void {
    this.repository.observeReplays(undefined)
  }
}

/** Missed snapshots one replay takes at most (a store written without snapshots has many). */
export const MAX_MISSED_PER_REPLAY = 8

function warnSnapshotFailure(
  error: unknown,
  failed: { originatorId: string; versions: readonly number[] },
): void {
  const reason = error instanceof Error ? error.message : String(error)
  console.warn(
    `snapshot of ${failed.originatorId} at version ${failed.versions.join(', ')} not taken (the events are stored): ${reason}`,
  )
}
