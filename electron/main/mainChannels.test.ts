/**
 * The main process's IPC wiring as index.ts sets it up (registerMainChannels): every channel it
 * answers, the contract's and the two dialogs', refuses any sender that is not the main frame of
 * one of our windows on our origin, and answers that one. Electron's ipcMain, dialog and windows
 * are stand-ins (the binary is not needed); the path policy is the real one.
 */
import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { methodNames } from '../../shared/contract'
import { createSqlitePathPolicy } from '../explorer/sqlitePathPolicy'
import { fakeConnectionInfo, fakeHandlers } from '../../test/fakeHandlers'
import { methodChannel, PICK_AGGREGATE_MODULE_CHANNEL, PICK_SQLITE_FILE_CHANNEL } from './channels'
import type { InvokeEvent, IpcMainLike, IpcWindow, SenderFrame } from './ipc'
import { registerMainChannels } from './mainChannels'

vi.mock('electron', () => {
  throw new Error('mainChannels.ts must not import electron at runtime')
})

const APP_URL = 'app://renderer/index.html'
const DEV_URL = 'http://localhost:5173/'
const root = realpathSync(mkdtempSync(join(tmpdir(), 'eventscope-channels-')))
const dataDir = join(root, 'data')
mkdirSync(dataDir)
const PICKED_DB = join(root, 'picked.sqlite')
const PICKED_MODULE = join(root, 'types.mjs')

type Window = IpcWindow & { name: string }
type Listener = (event: InvokeEvent, ...args: unknown[]) => unknown

let frames = 0
function window(name: string, url = APP_URL): Window {
  const mainFrame: SenderFrame = { url, parent: null, processId: 7, routingId: ++frames }
  return {
    name,
    isDestroyed: () => false,
    webContents: { isDestroyed: () => false, mainFrame, send: () => {} },
  }
}

/** Everything index.ts passes in, as stand-ins that record what reached them. */
function wired(options: { devServerUrl?: string; windows: Window[] }) {
  const listeners = new Map<string, Listener>()
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void listeners.set(channel, listener),
    removeHandler: (channel) => void listeners.delete(channel),
  }
  const shown: string[] = []
  const granted: string[] = []
  const fake = fakeHandlers()
  const registration = registerMainChannels<Window>({
    ipcMain,
    dialog: {
      showOpenDialog: async (w, { title }) => {
        shown.push(`${w.name}: ${title}`)
        return {
          canceled: false,
          filePaths: [title.includes('module') ? PICKED_MODULE : PICKED_DB],
        }
      },
      showSaveDialog: async (w, { title }) => {
        shown.push(`${w.name}: ${title}`)
        return { canceled: false, filePath: PICKED_DB }
      },
    },
    getWindows: () => options.windows,
    devServerUrl: options.devServerUrl,
    handlers: fake.handlers,
    modules: { grant: (path) => (granted.push(path), path) },
    sqlitePathPolicy: createSqlitePathPolicy({ restrict: true, dataDir }),
    log: () => {},
  })
  /** Sends on `channel` what the renderer would send there, as `event`'s sender. */
  const send = async (channel: string, event: InvokeEvent): Promise<unknown> => {
    const listener = listeners.get(channel)
    if (!listener) throw new Error(`nothing answers ${channel}`)
    const payload = channel === PICK_SQLITE_FILE_CHANNEL ? 'open' : {}
    return await listener(event, payload)
  }
  return { listeners, registration, send, shown, granted, called: fake.called }
}

const REFUSED = {
  ok: false,
  error: { code: 'ValidationError', message: 'the sender of this request is not trusted' },
}
const contractChannels = methodNames.map((m) => methodChannel(m))
const dialogChannels = [PICK_SQLITE_FILE_CHANNEL, PICK_AGGREGATE_MODULE_CHANNEL]
const everyChannel = [...contractChannels, ...dialogChannels]

/** `send` refused: a refusal envelope from the contract's channels, a rejection from the dialogs'. */
async function expectRefused(
  outcome: Promise<unknown>,
  channel: string,
  why = channel,
): Promise<void> {
  if (dialogChannels.includes(channel)) await expect(outcome, why).rejects.toThrow(/not trusted/)
  else await expect(outcome, why).resolves.toEqual(REFUSED)
}

describe('the main process IPC channels (registerMainChannels)', () => {
  test('answer the contract’s methods and the two dialogs, nothing else; dispose removes them all', () => {
    const { listeners, registration } = wired({ windows: [window('main')] })

    expect([...listeners.keys()].sort()).toEqual([...everyChannel].sort())
    registration.dispose()
    expect(listeners.size).toBe(0)
  })

  test('answer the main frame of our window on app://renderer on every channel', async () => {
    const main = window('main')
    const { send, shown, granted, called } = wired({ windows: [window('other'), main] })
    const ours: InvokeEvent = { sender: main.webContents, senderFrame: main.webContents.mainFrame }

    await expect(send(methodChannel('getConnection'), ours)).resolves.toEqual({
      ok: true,
      value: fakeConnectionInfo,
    })
    expect(called).toEqual(['getConnection'])
    // The dialogs show on the window that asked, and grant what the user chose there.
    await expect(send(PICK_SQLITE_FILE_CHANNEL, ours)).resolves.toBe(PICKED_DB)
    await expect(send(PICK_AGGREGATE_MODULE_CHANNEL, ours)).resolves.toBe(PICKED_MODULE)
    expect(shown).toEqual([
      'main: Open a SQLite event store',
      'main: Load a module of aggregate types',
    ])
    expect(granted).toEqual([PICKED_MODULE])
  })

  test.each(everyChannel)('refuse every sender but ours on %s', async (channel) => {
    const main = window('main')
    const stranger = window('stranger') // a webContents that is not one of our windows
    const { send, shown, granted, called } = wired({ windows: [main] })
    const frame = main.webContents.mainFrame
    const senders: Record<string, InvokeEvent> = {
      'another origin': {
        sender: main.webContents,
        senderFrame: { ...frame, url: 'https://evil.example/' },
      },
      'a look-alike of our origin': {
        sender: main.webContents,
        senderFrame: { ...frame, url: 'app://renderer.evil/index.html' },
      },
      'the dev server, when there is none': {
        sender: main.webContents,
        senderFrame: { ...frame, url: DEV_URL },
      },
      'a subframe on our origin': {
        sender: main.webContents,
        senderFrame: { url: APP_URL, parent: frame, processId: 7, routingId: 99 },
      },
      'a frame that is gone': { sender: main.webContents, senderFrame: null },
      'another top-level frame on our origin': {
        sender: main.webContents,
        senderFrame: { url: APP_URL, parent: null, processId: 9, routingId: 1 },
      },
      'a webContents that is not our window': {
        sender: stranger.webContents,
        senderFrame: stranger.webContents.mainFrame,
      },
    }

    for (const [why, event] of Object.entries(senders)) {
      await expectRefused(send(channel, event), channel, why)
    }
    expect(called).toEqual([])
    expect(shown).toEqual([])
    expect(granted).toEqual([])
  })

  test('trust the dev server’s origin only when the app was given one', async () => {
    const dev = window('dev', DEV_URL)
    const withDevServer = wired({ windows: [dev], devServerUrl: 'http://localhost:5173' })
    const withoutDevServer = wired({ windows: [dev] })
    const event: InvokeEvent = { sender: dev.webContents, senderFrame: dev.webContents.mainFrame }

    for (const channel of everyChannel) {
      await expect(withDevServer.send(channel, event), channel).resolves.not.toEqual(REFUSED)
      await expectRefused(withoutDevServer.send(channel, event), channel)
    }
    expect(withDevServer.shown).toHaveLength(2)
    expect(withoutDevServer.shown).toEqual([])
    expect(withoutDevServer.called).toEqual([])
  })
})
