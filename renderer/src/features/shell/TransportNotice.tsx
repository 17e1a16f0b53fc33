/**
 * What the page says about its own link to the Eventscope service (the transport, not the
 * store): while it starts, and in a banner over the content once the link drops.
 */
import type { TransportStatus } from '../../service'

/** The start page before the first answer: connecting, retrying, or refused for good. */
export function StartingNotice({ status }: { status: TransportStatus }) {
  // Refused is final for this address: no spinner, nothing busy (the page cannot fix it).
  const refused = status === 'refused'
  return (
    <main
      className="app-loading"
      aria-busy={!refused}
      aria-label={refused ? 'Not accepted' : 'Connecting'}
    >
      {!refused && <span className="spinner" aria-hidden="true" />}
      <span className="muted" role="status">
        {status === 'refused'
          ? 'The Eventscope server does not accept this page: open the address it printed when it started (npm run serve).'
          : status === 'closed'
            ? 'Cannot reach the Eventscope service yet. Retrying…'
            : 'Connecting to Eventscope…'}
      </span>
    </main>
  )
}

/** Over the content while the link is down; nothing while it is open. */
export function TransportBanner({ status }: { status: TransportStatus }) {
  if (status === 'open') return null
  return (
    <div className="transport-banner" role="alert">
      {status !== 'refused' && <span className="spinner spinner-sm" aria-hidden="true" />}
      {status === 'refused'
        ? 'The Eventscope server was restarted and no longer accepts this page. Open the address it printed when it started (npm run serve).'
        : status === 'closed'
          ? 'Lost the connection to the Eventscope service. Reconnecting…'
          : 'Reconnecting to the Eventscope service…'}
    </div>
  )
}
