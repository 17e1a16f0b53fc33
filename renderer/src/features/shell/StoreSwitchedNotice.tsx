/**
 * Says so when another window or tab switched the store: the server's connection is shared by
 * every page, so this page's selection and staged commands went with the old store. The status
 * region is always there, so that a screen reader announces the text when it appears.
 */
import { useShallow } from 'zustand/react/shallow'
import { useConnectionStore } from '../../stores/connectionStore'
import { revealInvisible } from '../../ui/VisibleText'

export function StoreSwitchedNotice() {
  const { change, dismiss } = useConnectionStore(
    useShallow((s) => ({ change: s.switchedElsewhere, dismiss: s.dismissSwitchedElsewhere })),
  )
  const cleared = "This page's selection and staged commands were cleared."
  return (
    <div className={`store-switched${change ? ' is-shown' : ''}`} role="status">
      {change && (
        <>
          <span>
            {'to' in change
              ? `Another window switched the store to ${revealInvisible(change.to)}. ${cleared}`
              : `Another window disconnected the store ${revealInvisible(change.disconnectedFrom)}. ${cleared}`}
          </span>
          <button
            type="button"
            className="btn btn-xs btn-ghost"
            aria-label="Dismiss the store switch message"
            onClick={dismiss}
          >
            Dismiss
          </button>
        </>
      )}
    </div>
  )
}
