import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test, vi } from 'vitest'
import { AggregateModules } from '../explorer/modules'
import { PICK_AGGREGATE_MODULE_CHANNEL } from './channels'
import type { InvokeEvent, IpcMainLike } from './ipc'
import { pickAggregateModule, registerModulePicker, type ModuleDialogLike } from './modulePicker'

vi.mock('electron', () => {
  throw new Error('modulePicker.ts must not import electron at runtime')
})

const folder = mkdtempSync(join(tmpdir(), 'eventscope-module-picker-'))
const picked = join(folder, 'picked.mjs')
writeFileSync(picked, 'export default function register() {}\n')
const WINDOW = { name: 'main' }

function fakeDialog(answer: string | undefined) {
  const shown: string[] = []
  const dialog: ModuleDialogLike<typeof WINDOW> = {
    showOpenDialog: async (_window, options) => {
      shown.push(options.title)
      return { canceled: answer === undefined, filePaths: answer === undefined ? [] : [answer] }
    },
  }
  return { dialog, shown }
}

describe('the desktop module dialog', () => {
  test('given a module the user picked, then it (and only it) may be loaded', async () => {
    const modules = new AggregateModules()
    await expect(modules.loadGranted(picked)).rejects.toThrow(/may not be loaded/)

    expect(await pickAggregateModule(fakeDialog(picked).dialog, WINDOW, modules)).toBe(picked)

    expect(await modules.loadGranted(picked)).toEqual({ path: picked, types: [] })
    await expect(modules.loadGranted(join(folder, 'neighbour.mjs'))).rejects.toThrow(
      /may not be loaded/,
    )
  })

  test('given a cancelled dialog, then null and nothing granted', async () => {
    const modules = new AggregateModules()
    const { dialog, shown } = fakeDialog(undefined)
    expect(await pickAggregateModule(dialog, WINDOW, modules)).toBeNull()
    expect(shown).toEqual(['Load a module of aggregate types'])
    await expect(modules.loadGranted(picked)).rejects.toThrow(/may not be loaded/)
  })

  test('given a message from an untrusted sender, then no dialog is shown and it is refused', async () => {
    const handlers = new Map<string, (event: InvokeEvent, ...args: unknown[]) => unknown>()
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => void handlers.set(channel, listener),
      removeHandler: (channel) => void handlers.delete(channel),
    }
    const { dialog, shown } = fakeDialog(picked)
    const untrusted: InvokeEvent = { sender: {}, senderFrame: null }
    const dispose = registerModulePicker({
      ipcMain,
      dialog,
      senderProblem: (e) => (e === untrusted ? 'no sender frame' : undefined),
      windowOf: () => WINDOW,
      modules: new AggregateModules(),
      log: () => {},
    })
    const handler = handlers.get(PICK_AGGREGATE_MODULE_CHANNEL)!

    await expect(Promise.resolve(handler(untrusted))).rejects.toThrow(/not trusted/)
    expect(shown).toEqual([])
    expect(await handler({ sender: {}, senderFrame: null })).toBe(picked)
    dispose()
    expect(handlers.has(PICK_AGGREGATE_MODULE_CHANNEL)).toBe(false)
  })
})
