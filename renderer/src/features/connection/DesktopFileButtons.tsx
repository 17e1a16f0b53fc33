/**
 * "Browse…" and "New file…" beside the SQLite path, in the desktop app only: the main process
 * shows the system file dialog, and a file chosen there may be opened wherever it lies (browser
 * mode has no dialog: only its data folder and its allow-list).
 */
import { useState } from 'react'
import type { SqliteFilePickMode } from '../../../../shared/desktop'
import './connection.css'

export function DesktopFileButtons({
  onPick,
  disabled,
}: {
  onPick: (path: string) => void
  disabled?: boolean
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const desktop = window.eventscopeDesktop
  if (!desktop) return null

  const pick = async (mode: SqliteFilePickMode) => {
    setBusy(true)
    setError(null)
    try {
      const path = await desktop.pickSqliteFile(mode)
      if (path) onPick(path)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    } finally {
      setBusy(false)
    }
  }

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
