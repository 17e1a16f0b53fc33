import { existsSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { createSqlitePathPolicy } from '../explorer/sqlitePathPolicy'
import { PICK_SQLITE_FILE_CHANNEL } from './channels'
import { pickSqliteFile, registerFilePicker, type DialogLike } from './filePicker'
import type { InvokeEvent, IpcMainLike } from './ipc'

vi.mock('electron', () => {
  throw new Error('filePicker.ts must not import electron at runtime')
})

const root = realpathSync(mkdtempSync(join(tmpdir(), 'eventscope-picker-')))
const dataDir = join(root, 'data')
const elsewhere = join(root, 'elsewhere')
mkdirSync(dataDir)
mkdirSync(elsewhere)

type Window = { name: string }
const WINDOW: Window = { name: 'main' }

function fakeDialog(answer: { open?: string[]; save?: string }) {
  const shown: string[] = []
  const dialog: DialogLike<Window> = {
    showOpenDialog: async (_window, options) => {
      shown.push(options.title)
      return { canceled: !answer.open, filePaths: answer.open ?? [] }
    },
    showSaveDialog: async (_window, options) => {
      shown.push(options.title)
      return answer.save ? { canceled: false, filePath: answer.save } : { canceled: true }
    },
  }
  return { dialog, shown }
}

const desktopPolicy = () => createSqlitePathPolicy({ restrict: true, dataDir })

describe('the desktop file dialog', () => {
  test('given a file the user picked outside the data folder, then that file (and only it) may be opened', async () => {
    const policy = desktopPolicy()
    const picked = join(elsewhere, 'picked.sqlite')
    await expect(policy.check(picked)).rejects.toThrow(/outside/)

    const { dialog } = fakeDialog({ save: picked })
    expect(await pickSqliteFile(dialog, WINDOW, 'create', policy)).toBe(picked)

    expect(await policy.check(picked)).toBe(picked)
    await expect(policy.check(join(elsewhere, 'neighbour.sqlite'))).rejects.toThrow(/outside/)
    expect(existsSync(picked)).toBe(false) // picking creates nothing; connect does
  })

  test('given a cancelled dialog, then null and nothing granted', async () => {
    const policy = desktopPolicy()
    const { dialog, shown } = fakeDialog({})

    expect(await pickSqliteFile(dialog, WINDOW, 'open', policy)).toBeNull()
    expect(shown).toEqual(['Open a SQLite event store'])
  })

  test('given a message from an untrusted sender, then no dialog is shown and it is refused', async () => {
    const handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>()
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => void handlers.set(channel, listener),
      removeHandler: (channel) => void handlers.delete(channel),
    }
    const { dialog, shown } = fakeDialog({ open: [join(elsewhere, 'x.sqlite')] })
    const event: InvokeEvent = { sender: {}, senderFrame: null }
    const dispose = registerFilePicker({
      ipcMain,
      dialog,
      senderProblem: (e) => (e === event ? 'no sender frame' : undefined),
      windowOf: () => WINDOW,
      policy: desktopPolicy(),
      log: () => {},
    })
    const handler = handlers.get(PICK_SQLITE_FILE_CHANNEL)!

    await expect(Promise.resolve(handler(event, 'open'))).rejects.toThrow(/not trusted/)
    expect(shown).toEqual([])
    const trusted: InvokeEvent = { sender: {}, senderFrame: null }
    await expect(Promise.resolve(handler(trusted, 'delete'))).rejects.toThrow(/mode/)
    expect(await handler(trusted, 'open')).toBe(join(elsewhere, 'x.sqlite'))
    dispose()
    expect(handlers.has(PICK_SQLITE_FILE_CHANNEL)).toBe(false)
  })
})
