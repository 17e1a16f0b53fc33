import { ActivityPanel } from '../activity/ActivityPanel'

/** The right column before anything is selected: what to do, and the whole store's activity. */
export function EmptyState() {
  return (
    <section className="empty-state" aria-labelledby="empty-state-title">
      <div className="empty-intro">
        <svg
          className="empty-mark"
          width="44"
          height="44"
          viewBox="0 0 44 44"
          aria-hidden="true"
          focusable="false"
        >
          <rect x="4" y="8" width="36" height="6" rx="3" fill="currentColor" opacity="0.25" />
          <rect x="4" y="19" width="28" height="6" rx="3" fill="currentColor" opacity="0.45" />
          <rect x="4" y="30" width="20" height="6" rx="3" fill="currentColor" opacity="0.7" />
        </svg>
        <h2 id="empty-state-title">Select an aggregate</h2>
        <p className="muted">
          Pick one on the left to see its state, replay its events version by version, compare
          snapshots and run commands. No data yet? Use <strong>New aggregate</strong> or{' '}
          <strong>Seed demo data</strong> above the list.
        </p>
        <ul className="empty-tips muted">
          <li>
            <kbd>↑</kbd> <kbd>↓</kbd> move through the list
          </li>
          <li>
            <kbd>←</kbd> <kbd>→</kbd> on the version slider step through history
          </li>
        </ul>
      </div>
      <div className="empty-activity">
        <ActivityPanel />
      </div>
    </section>
  )
}
