/**
 * What the desktop shell's preload offers beyond the contract, as `window.eventscopeDesktop`:
 * the system file dialog, which only the main process can open. Absent in browser mode, so the
 * UI shows its "Browse…" buttons only in the desktop app. Pure types: no Electron here.
 */

/** 'open': an existing database file; 'create': a new file's name and folder. */
export type SqliteFilePickMode = 'open' | 'create'

export interface DesktopBridge {
  /**
   * Shows the system dialog; resolves with the chosen file (which `connect` may now open), or
   * null when the user cancelled. Rejects with a message a user can read.
   */
  pickSqliteFile(mode: SqliteFilePickMode): Promise<string | null>
  /**
   * Shows the system dialog for a module of aggregate types; resolves with the chosen file
   * (which `loadAggregateModule` may now load), or null when the user cancelled.
   */
  pickAggregateModule(): Promise<string | null>
}

export function isSqliteFilePickMode(value: unknown): value is SqliteFilePickMode {
  return value === 'open' || value === 'create'
}
