import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// First and in this order (the shell's stylesheet in parts), so feature stylesheets (imported by
// the components) can override the base rules.
import './styles.css'
import './styles/status.css'
import './styles/shell.css'
import './styles/aggregates.css'
import './styles/scrubber.css'
import './styles/timeline.css'
import './styles/connection.css'
import { App } from './App'
import { applyTheme, useThemeStore } from './stores/themeStore'
import { loadValidator } from './transport'
import { PAGE_SIZE } from './queries/aggregates'
import { askFirstPageEarly } from './queries/earlyPage'

// The validator's chunk (zod, the schemas) starts loading now, beside the first render; the
// first call awaits it (or its retry) for its answer, so a failed load here needs no handling.
loadValidator().catch(() => {})
// The list's first page is asked for now, beside the connection's: see earlyPage.ts.
askFirstPageEarly(PAGE_SIZE)
applyTheme(useThemeStore.getState().mode)

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
