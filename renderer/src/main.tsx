import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
// First, so feature stylesheets (imported by the components) can override the base rules.
import './styles.css'
import { App } from './App'
import { onTransportStatus } from './transport'
import { useConnectionStore } from './stores/connectionStore'
import { startStoreListeners } from './stores/listeners'
import { applyTheme, useThemeStore } from './stores/themeStore'

applyTheme(useThemeStore.getState().mode)
startStoreListeners()
onTransportStatus((status) => {
  useConnectionStore.getState().setTransport(status)
})

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
