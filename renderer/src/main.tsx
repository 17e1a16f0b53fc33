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
import { createService } from './transport'
import { PAGE_SIZE } from './queries/aggregates'
import { EARLY_ORDER, withFirstPageEarly } from './queries/earlyPage'

applyTheme(useThemeStore.getState().mode)

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
const service = createService()
// The list's first page is asked for now, beside the connection's: see earlyPage.ts.
const api = withFirstPageEarly(service.api, { limit: PAGE_SIZE, order: EARLY_ORDER })
createRoot(root).render(
  <StrictMode>
    {/* The page's one service (its socket, and the validator's chunk loading beside the first
        render), made here and handed down: nothing in the renderer holds it at module level. */}
    <App service={{ ...service, api }} />
  </StrictMode>,
)
