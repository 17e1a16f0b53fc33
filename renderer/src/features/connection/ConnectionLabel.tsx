/**
 * The header's reminder of where the UI points: the connection's environment label (e.g.
 * PRODUCTION in red) and a Read-only badge, shown whatever screen is open.
 */
import { useConnectionInfo } from '../../queries/connection'
import './access.css'

export function ConnectionLabel() {
  const info = useConnectionInfo()
  const label = info?.label
  const readOnly = info?.status === 'connected' && info.readOnly
  const reason = info?.readOnlyReason
  if (!label && !readOnly) return null
  return (
    <div className="connection-label" role="group" aria-label="Connection label">
      {label && (
        <span className={`env-label env-label--${label.colour}`} title="Connection label">
          {label.text}
        </span>
      )}
      {readOnly && (
        // A name needs a role: the badge is one picture of the state, named with its reason.
        <span
          className="badge badge-warn"
          role="img"
          title={reason}
          aria-label={`Read-only: ${reason ?? ''}`}
        >
          Read-only
        </span>
      )}
    </div>
  )
}
