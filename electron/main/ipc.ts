/**
 * The Electron transport, main side: one `ipcMain.handle` per contract method, registered
 * generically over `methodNames`. Every message's sender is checked before `dispatch()` runs;
 * pushed events go to our windows on one channel. No `electron` import here (types are
 * structural), so the registration is a pure function unit tests can drive with fakes.
 */
import {
  eventNames,
  methodNames,
  type EventName,
  type EventOf,
  type ExplorerHandlers,
} from '../../shared/contract'
import { dispatch, refusal, type EnvelopeValue } from '../host/dispatch'
import { EVENT_CHANNEL, methodChannel } from './channels'

/** The parts of Electron's `WebFrameMain` the sender check reads. */
export interface SenderFrame {
  readonly url: string
  readonly parent: unknown
  readonly processId: number
  readonly routingId: number
}

/** The parts of Electron's `IpcMainInvokeEvent` the sender check reads. */
export interface InvokeEvent {
  readonly sender: unknown
  readonly senderFrame: SenderFrame | null
}

/** The parts of Electron's `BrowserWindow` this module uses. */
export interface IpcWindow {
  isDestroyed(): boolean
  readonly webContents: {
    isDestroyed(): boolean
    readonly mainFrame: SenderFrame
    send(channel: string, ...args: unknown[]): void
  }
}

/** The parts of Electron's `ipcMain` this module uses. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

export interface IpcDeps {
  ipcMain: IpcMainLike
  /** Our windows: a sender must be the main frame of one of them. */
  getWindows: () => readonly IpcWindow[]
  /** Whether a frame URL belongs to our renderer (the app:// origin, or the dev server's). */
  isTrustedSender: (url: string) => boolean
  handlers: ExplorerHandlers
  /** Where refused senders are reported; console.warn by default. */
  log?: (message: string) => void
}

export interface IpcRegistration {
  /** Sends a live event to every window still showing our renderer. */
  emit<E extends EventName>(event: E, payload: EventOf<E>): void
  /** Removes every handler this registration added. */
  dispose(): void
}

const knownEvents = new Set<string>(eventNames)

export function registerIpc(deps: IpcDeps): IpcRegistration {
  const log = deps.log ?? ((message: string) => console.warn(message))

  const refuse = (method: string, why: string): EnvelopeValue => {
    log(`eventscope: refused IPC ${method}: ${why}`)
    return refusal('ValidationError', 'the sender of this request is not trusted')
  }

  const senderProblem = createSenderCheck(deps)

  for (const method of methodNames) {
    deps.ipcMain.handle(methodChannel(method), async (event, payload) => {
      const problem = senderProblem(event)
      if (problem) return refuse(method, problem)
      return dispatch(deps.handlers, method, payload)
    })
  }

  return {
    emit(event, payload) {
      if (!knownEvents.has(event)) return
      for (const window of deps.getWindows()) {
        if (window.isDestroyed() || window.webContents.isDestroyed()) continue
        // Defence in depth: navigation is denied, but never push data to a page that isn't ours.
        if (!deps.isTrustedSender(window.webContents.mainFrame.url)) continue
        window.webContents.send(EVENT_CHANNEL, event, payload)
      }
    },
    dispose() {
      for (const method of methodNames) deps.ipcMain.removeHandler(methodChannel(method))
    },
  }
}

/**
 * Why the sender of an IPC message is refused, or undefined when it is our window's main frame
 * on our origin. Every channel the main process handles uses it (the contract's and the desktop
 * shell's own, see filePicker.ts).
 */
export function createSenderCheck(
  deps: Pick<IpcDeps, 'getWindows' | 'isTrustedSender'>,
): (event: InvokeEvent) => string | undefined {
  return (event) => {
    const frame = event.senderFrame
    // A frame that navigated away or was destroyed before the message arrived is null.
    if (!frame) return 'no sender frame'
    if (!deps.isTrustedSender(frame.url))
      return `foreign origin ${JSON.stringify(frame.url.slice(0, 200))}`
    if (frame.parent !== null) return 'sent from a subframe'
    const window = deps
      .getWindows()
      .find(
        (w) => !w.isDestroyed() && !w.webContents.isDestroyed() && w.webContents === event.sender,
      )
    if (!window) return 'not one of our windows'
    const main = window.webContents.mainFrame
    const isMainFrame =
      frame === main || (frame.processId === main.processId && frame.routingId === main.routingId)
    return isMainFrame ? undefined : 'not the main frame of our window'
  }
}
