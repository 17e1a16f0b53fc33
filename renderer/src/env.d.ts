/** What the Electron preload exposes; absent in browser mode. */
import type { Transport } from '../../shared/client'
import type { DesktopBridge } from '../../shared/desktop'

declare global {
  interface Window {
    eventscope?: Transport
    /** The desktop shell's system file dialog (electron/preload). */
    eventscopeDesktop?: DesktopBridge
  }
}

export {}
