/**
 * Which URLs are our renderer: the `app://renderer` origin the built app serves, or in
 * development the electron-vite dev server's. Every IPC sender check, navigation rule and event
 * delivery asks this. No `electron` import, so unit tests (window.test.ts, mainChannels.test.ts)
 * load it without the Electron binary.
 */

export const APP_SCHEME = 'app'
export const APP_HOST = 'renderer'
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/**
 * The dev server the main process may trust: electron-vite's ELECTRON_RENDERER_URL, and only in
 * an unpackaged app, so that the variable can never make an installed app trust another origin.
 */
export function rendererDevServerUrl(
  isPackaged: boolean,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return isPackaged ? undefined : env['ELECTRON_RENDERER_URL'] || undefined
}

/**
 * Whether `url` is our renderer: `app://renderer/…`, or in development the electron-vite dev
 * server's origin. Used for IPC senders, navigation and event delivery.
 */
export function createRendererUrlCheck(devServerUrl: string | undefined): (url: string) => boolean {
  const devOrigin = devServerUrl ? safeUrl(devServerUrl)?.origin : undefined
  return (url) => {
    const parsed = safeUrl(url)
    if (!parsed) return false
    if (parsed.protocol === `${APP_SCHEME}:`)
      return parsed.host === APP_HOST && !parsed.username && !parsed.password
    return devOrigin !== undefined && parsed.origin === devOrigin
  }
}

export function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url)
  } catch {
    return undefined
  }
}
