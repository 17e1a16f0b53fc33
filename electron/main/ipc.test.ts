import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  eventNames,
  methodNames,
  type ExplorerHandlers,
  type MethodName,
} from '../../shared/contract'
import { fakeConnectionInfo as connectionInfo, fakeHandlers } from '../../test/fakeHandlers'
import { EVENT_CHANNEL, methodChannel } from './channels'
import {
  registerIpc,
  type InvokeEvent,
  type IpcMainLike,
  type IpcWindow,
  type SenderFrame,
} from './ipc'

// The real electron package is never loaded: a stand-in that fails loudly if anything reaches it.
vi.mock('electron', () => {
  throw new Error('ipc.ts must not import electron at runtime')
})

const APP_URL = 'app://renderer/index.html'
const DEV_ORIGIN = 'http://localhost:5173'

/** The origin check index.ts wires in (createRendererUrlCheck), restated without electron. */
const isTrustedSender = (url: string) =>
  url.startsWith('app://renderer/') || url.startsWith(`${DEV_ORIGIN}/`)

type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown

/** Records `handle` registrations like Electron's ipcMain, and refuses a second one per channel as it does. */
function fakeIpcMain() {
  const handlers = new Map<string, Listener>()
  const calls: string[] = []
  const ipcMain: IpcMainLike = {
    handle(channel, listener) {
      calls.push(channel)
      if (handlers.has(channel))
        throw new Error(`Attempted to register a second handler for '${channel}'`)
      handlers.set(channel, listener)
    },
    removeHandler(channel) {
      handlers.delete(channel)
    },
  }
  return { ipcMain, handlers, calls }
}

function fakeWindow(url = APP_URL) {
  const mainFrame: SenderFrame = { url, parent: null, processId: 7, routingId: 1 }
  const sent: unknown[][] = []
  let destroyed = false
  const window: IpcWindow & { destroy(): void } = {
    isDestroyed: () => destroyed,
    destroy: () => void (destroyed = true),
    webContents: {
      isDestroyed: () => destroyed,
      mainFrame,
      send: (...args: unknown[]) => void sent.push(args),
    },
  }
  return { window, mainFrame, sent }
}

describe('registerIpc', () => {
  let ipc: ReturnType<typeof fakeIpcMain>
  let win: ReturnType<typeof fakeWindow>
  let fake: ReturnType<typeof fakeHandlers>
  let logged: string[]
  let registration: ReturnType<typeof registerIpc>

  beforeEach(() => {
    ipc = fakeIpcMain()
    win = fakeWindow()
    fake = fakeHandlers()
    logged = []
    registration = registerIpc({
      ipcMain: ipc.ipcMain,
      getWindows: () => [win.window],
      isTrustedSender,
      handlers: fake.handlers,
      log: (message) => logged.push(message),
    })
  })

  /** Sends `payload` to `method` as our window's main frame, unless `event` says otherwise. */
  const invoke = (method: MethodName, payload: unknown, event?: Partial<InvokeEvent>) => {
    const listener = ipc.handlers.get(methodChannel(method))
    if (!listener) throw new Error(`no handler for ${method}`)
    return listener(
      { sender: win.window.webContents, senderFrame: win.mainFrame, ...event },
      payload,
    )
  }

  it('registers every contract method exactly once, on eventscope:<method>', () => {
    expect([...ipc.calls].sort()).toEqual(methodNames.map((m) => `eventscope:${m}`).sort())
    expect(new Set(ipc.calls).size).toBe(ipc.calls.length)
  })

  it('registers the cipher key methods too (the registration is generic over the contract)', () => {
    expect(ipc.calls).toContain('eventscope:setCipherKey')
    expect(ipc.calls).toContain('eventscope:forgetCipherKey')
  })

  it('dispatches a trusted request to its handler with the parsed request (defaults applied)', async () => {
    await expect(invoke('getConnection', {})).resolves.toEqual({ ok: true, value: connectionInfo })
    await expect(invoke('listAggregates', {})).resolves.toEqual({
      ok: true,
      value: { echoed: { limit: 100, order: 'recent', from: 'start' } },
    })
    expect(fake.called).toEqual(['getConnection', 'listAggregates'])
  })

  it('calls handlers as methods, so a class like ExplorerService keeps its `this`', async () => {
    class Service {
      private readonly info = connectionInfo
      async getConnection() {
        return this.info
      }
    }
    const ipc2 = fakeIpcMain()
    const handlers = new Service() as unknown as ExplorerHandlers
    registerIpc({
      ipcMain: ipc2.ipcMain,
      getWindows: () => [win.window],
      isTrustedSender,
      handlers,
    })
    const listener = ipc2.handlers.get(methodChannel('getConnection'))!
    await expect(
      listener({ sender: win.window.webContents, senderFrame: win.mainFrame }, {}),
    ).resolves.toEqual({
      ok: true,
      value: connectionInfo,
    })
  })

  it('accepts the dev server origin too', async () => {
    const dev = fakeWindow(`${DEV_ORIGIN}/`)
    const ipc2 = fakeIpcMain()
    registerIpc({
      ipcMain: ipc2.ipcMain,
      getWindows: () => [dev.window],
      isTrustedSender,
      handlers: fake.handlers,
      log: () => {},
    })
    const listener = ipc2.handlers.get(methodChannel('getConnection'))!
    await expect(
      listener({ sender: dev.window.webContents, senderFrame: dev.mainFrame }, {}),
    ).resolves.toMatchObject({ ok: true })
  })

  it.each(methodNames)(
    'rejects an invalid %s payload with ValidationError, without calling the handler',
    async (method) => {
      for (const payload of [
        'nonsense',
        42,
        null,
        [],
        { unexpected: true, id: 'not-a-uuid', handleId: 5 },
      ]) {
        const envelope = await invoke(method, payload)
        expect(envelope).toMatchObject({ ok: false, error: { code: 'ValidationError' } })
      }
      expect(fake.called).toEqual([])
    },
  )

  describe('refuses foreign senders with a ValidationError envelope, and logs them', () => {
    const refused = {
      ok: false,
      error: { code: 'ValidationError', message: 'the sender of this request is not trusted' },
    }

    it('another origin', async () => {
      const frame = { ...win.mainFrame, url: 'https://evil.example/' }
      await expect(invoke('getConnection', {}, { senderFrame: frame })).resolves.toEqual(refused)
      expect(logged.join('\n')).toMatch(/refused IPC getConnection: foreign origin/)
    })

    it('a look-alike of our scheme', async () => {
      for (const url of [
        'app://renderer.evil/index.html',
        'file:///tmp/index.html',
        'http://localhost:5174/',
        'about:blank',
        '',
      ]) {
        await expect(
          invoke('getConnection', {}, { senderFrame: { ...win.mainFrame, url } }),
        ).resolves.toEqual(refused)
      }
    })

    it('a subframe, even on our origin', async () => {
      const frame: SenderFrame = { url: APP_URL, parent: win.mainFrame, processId: 7, routingId: 2 }
      await expect(invoke('getConnection', {}, { senderFrame: frame })).resolves.toEqual(refused)
      expect(logged.join('\n')).toMatch(/subframe/)
    })

    it('a top-level frame that is not our window’s main frame', async () => {
      const frame: SenderFrame = { url: APP_URL, parent: null, processId: 9, routingId: 3 }
      await expect(invoke('getConnection', {}, { senderFrame: frame })).resolves.toEqual(refused)
    })

    it('a webContents that is not one of our windows', async () => {
      const stranger = fakeWindow()
      await expect(
        invoke(
          'getConnection',
          {},
          { sender: stranger.window.webContents, senderFrame: stranger.mainFrame },
        ),
      ).resolves.toEqual(refused)
      expect(logged.join('\n')).toMatch(/not one of our windows/)
    })

    it('a frame that is gone (senderFrame null) or a destroyed window', async () => {
      await expect(invoke('getConnection', {}, { senderFrame: null })).resolves.toEqual(refused)
      win.window.destroy()
      await expect(invoke('getConnection', {})).resolves.toEqual(refused)
    })

    it('never calls a handler for them', () => {
      expect(fake.called).toEqual([])
    })
  })

  it('pushes events to our windows on eventscope:event, and only to pages of ours', () => {
    const foreign = fakeWindow('https://evil.example/')
    const gone = fakeWindow()
    gone.window.destroy()
    const windows = [win.window, foreign.window, gone.window]
    const ipc2 = fakeIpcMain()
    const reg = registerIpc({
      ipcMain: ipc2.ipcMain,
      getWindows: () => windows,
      isTrustedSender,
      handlers: fake.handlers,
    })
    reg.emit('connection', connectionInfo)
    expect(win.sent).toEqual([[EVENT_CHANNEL, 'connection', connectionInfo]])
    expect(foreign.sent).toEqual([])
    expect(gone.sent).toEqual([])
    expect(eventNames).toContain('connection')
  })

  it('dispose removes every handler it added', () => {
    registration.dispose()
    expect(ipc.handlers.size).toBe(0)
  })
})
