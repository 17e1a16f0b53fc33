/**
 * A part of the app whose code loads on demand (React.lazy): a polite loading status while the
 * chunk arrives, and a message with a way out if it never does (a server restarted with a new
 * build no longer has the old chunk; without a boundary the whole app would unmount).
 */
import { Component, Suspense, type ReactNode } from 'react'
import { PartAttempt } from './lazyWithPreload'
import './lazyPart.css'

export function LazyPart({ what, children }: { what: string; children: ReactNode }) {
  return (
    <PartBoundary what={what}>
      <Suspense fallback={<PartLoading what={what} />}>{children}</Suspense>
    </PartBoundary>
  )
}

/** Announced as a status; its text fades in after a beat, so a quick load does not flash. */
export function PartLoading({ what }: { what: string }) {
  return (
    <div className="part-loading" role="status">
      <span className="spinner spinner-sm" aria-hidden="true" />
      <span>Loading {what}…</span>
    </div>
  )
}

class PartBoundary extends Component<
  { what: string; children: ReactNode },
  { failed: boolean; attempt: number }
> {
  override state = { failed: false, attempt: 0 }

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true }
  }

  override render() {
    if (!this.state.failed)
      return (
        <PartAttempt.Provider value={this.state.attempt}>
          {this.props.children}
        </PartAttempt.Provider>
      )
    return (
      <div className="panel-message" role="alert">
        <strong>Could not load {this.props.what}.</strong>
        <p className="muted">
          The service may have been unreachable for a moment (try again), or updated since this page
          opened: reloading the page fetches the current version.
        </p>
        <div className="feature-actions">
          {/* A new attempt: lazyWithPreload's parts load their code afresh. */}
          <button
            type="button"
            className="btn"
            onClick={() =>
              this.setState(({ attempt }) => ({ failed: false, attempt: attempt + 1 }))
            }
          >
            Try again
          </button>
          <button type="button" className="btn" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </div>
    )
  }
}
