/**
 * Launching the built desktop app (`npx electron-vite build`) with Playwright's Electron driver:
 * where the binary is, a virtual display when there is none, and a throwaway profile per launch.
 * Shared by e2e/electron.spec.ts and the `electron` project's fixtures (e2e/fixtures.ts).
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { _electron as electron, type ElectronApplication } from '@playwright/test'

export const root = join(dirname(fileURLToPath(import.meta.url)), '..')

export const ELECTRON_MISSING =
  "Electron binary not installed on this machine (require('electron') finds no binary, as after an install with ELECTRON_SKIP_BINARY_DOWNLOAD); install it to run the desktop specs (without a display they start Xvfb)"

/** The Electron binary's path, as `require('electron')` gives it; undefined when it was never downloaded. */
export function electronBinary(): string | undefined {
  try {
    const path: unknown = createRequire(import.meta.url)('electron')
    return typeof path === 'string' && existsSync(path) ? path : undefined
  } catch {
    return undefined // "Electron failed to install correctly": ELECTRON_SKIP_BINARY_DOWNLOAD
  }
}

export interface VirtualDisplay {
  /** e.g. ":3" */
  readonly display: string
  stop(): void
}

/**
 * Starts Xvfb on a free display when on Linux without DISPLAY; undefined when a display exists.
 * `-displayfd` lets Xvfb pick the number, so parallel runs on one machine never collide.
 */
export async function startVirtualDisplay(): Promise<VirtualDisplay | undefined> {
  if (process.platform !== 'linux' || process.env['DISPLAY']) return undefined
  const xvfb = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', '1440x900x24', '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  )
  const number = await new Promise<string>((resolve, reject) => {
    let text = ''
    let errors = ''
    xvfb.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    xvfb.stdio[3]?.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (text.includes('\n')) resolve(text.trim())
    })
    xvfb.once('error', reject)
    xvfb.once('exit', (code) =>
      reject(new Error(`Xvfb exited (${code ?? 'signal'}) before it was ready: ${errors.trim()}`)),
    )
  })
  return { display: `:${number}`, stop: () => void xvfb.kill() }
}

export interface LaunchOptions {
  /** The store settings (EVENTSCOPE_STORE, EVENTSCOPE_SQLITE_PATH, EVENTSCOPE_CIPHER_KEY, …). */
  env: Record<string, string>
  /** The X display to use; the inherited DISPLAY when undefined. */
  display?: string | undefined
}

/** Launches the built app with a fresh profile; the caller closes it. */
export async function launchApp(options: LaunchOptions): Promise<ElectronApplication> {
  const binary = electronBinary()
  if (!binary) throw new Error(ELECTRON_MISSING)
  const env: Record<string, string> = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  )
  // The built renderer over app://, as users get it, and Electron as Electron, not as Node.
  delete env['ELECTRON_RENDERER_URL']
  delete env['ELECTRON_RUN_AS_NODE']
  return electron.launch({
    executablePath: binary,
    // The project folder: package.json's main (out/main/index.js) starts, as `electron .` would.
    args: [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    cwd: root,
    env: {
      ...env,
      ...(options.display ? { DISPLAY: options.display } : {}),
      ...options.env,
      // A throwaway profile: the key store and single-instance lock never touch the user's,
      // and two launches on one store (a second window) do not stop each other.
      EVENTSCOPE_USER_DATA_DIR: mkdtempSync(join(tmpdir(), 'eventscope-electron-')),
    },
  })
}
