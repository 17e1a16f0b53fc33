/**
 * "Browse…" and "New file…" beside the SQLite path, in the desktop app only: the main process
 * shows the system file dialog, and a file chosen there may be opened wherever it lies (browser
 * mode has no dialog: only its data folder and its allow-list).
 */
import { describeError } from '../../ui/errors'
import { useAction } from '../../ui/useAction'
import type { SqliteFilePickMode } from '../../../../shared/desktop'
import './connection.css'

export function DesktopFileButtons({
  onPick,
  disabled,
}: {
  onPick: (path: string) => void
  disabled?: boolean
}) {
  const desktop = window.eventscopeDesktop
  const action = useAction(async (mode: SqliteFilePickMode) => {
    const path = await desktop?.pickSqliteFile(mode)
    if (path) onPick(path)
  })
  if (!desktop) return null
  const { busy } = action
  const error = action.error === undefined ? null : describeError(action.error).message
  const pick = (mode: SqliteFilePickMode) => action.run(mode)

  return (
    <div className="desktop-file-buttons">
      <button
        type="button"
        className="btn"
        onClick={() => void pick('open')}
        disabled={disabled || busy}
      >
        Browse…
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => void pick('create')}
        disabled={disabled || busy}
      >
        New file…
      </button>
      {error && (
        <p role="alert" className="field-hint">
          The file dialog failed: {error}
        </p>
      )}
    </div>
  )
}
