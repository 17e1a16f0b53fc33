/** What the Electron preload exposes; absent in browser mode. */
import type { Transport } from '../../shared/client'

declare global {
  interface Window {
    eventscope?: Transport
  }
}

export {}
