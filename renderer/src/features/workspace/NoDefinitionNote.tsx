import type { AggregateView } from '../../../../shared/contract'

/**
 * The State tab's marker for a type no loaded module registers: its events cannot be applied,
 * so the state shown is the newest snapshot's at or below the version, or unknown.
 */
export function NoDefinitionNote({ view }: { view: AggregateView }) {
  return (
    <p className="notice" role="note">
      <strong>No definition loaded: state from snapshots only</strong>
      {view.loadedFromSnapshot !== undefined
        ? ` — the snapshot at version ${view.loadedFromSnapshot}; the events after it cannot be applied.`
        : ' — no snapshot: state unknown.'}
    </p>
  )
}
