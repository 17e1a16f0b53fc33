import { ConnectionLabel } from '../connection/ConnectionLabel'
import { StatusBar } from '../connection/StatusBar'
import { ThemeToggle } from './ThemeToggle'

export function AppHeader() {
  return (
    <header className="app-header">
      <div className="brand">
        <svg
          className="brand-mark"
          width="20"
          height="20"
          viewBox="0 0 20 20"
          aria-hidden="true"
          focusable="false"
        >
          <circle cx="4" cy="10" r="2.5" fill="currentColor" />
          <circle cx="10" cy="10" r="2.5" fill="currentColor" opacity="0.7" />
          <circle cx="16" cy="10" r="2.5" fill="currentColor" opacity="0.4" />
        </svg>
        <h1 className="brand-name">Eventscope</h1>
      </div>
      <ConnectionLabel />
      <div className="header-end">
        <StatusBar />
        <ThemeToggle />
      </div>
    </header>
  )
}
