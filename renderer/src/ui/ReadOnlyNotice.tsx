import { useId } from 'react'
import { useConnectionStore } from '../stores/connectionStore'
import './readOnlyNotice.css'

/**
 * Says why write controls are disabled, with a way to the connection screen to fix it. `id`
 * names the sentence, for the controls' aria-describedby.
 */
export function ReadOnlyNotice({
  reason,
  id,
  what,
}: {
  reason: string
  id?: string
  /** What is unavailable, e.g. "commands are unavailable". */
  what?: string
}) {
  const openScreen = useConnectionStore((s) => s.openScreen)
  const titleId = useId()
  return (
    <div className="read-only-notice" role="note" aria-labelledby={titleId}>
      <p id={id}>
        <strong id={titleId}>Read-only{what ? `: ${what}` : ''}.</strong> {capitalize(reason)}
      </p>
      <button type="button" className="btn btn-ghost btn-sm" onClick={openScreen}>
        Connection settings
      </button>
    </div>
  )
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
