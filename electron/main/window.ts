/**
 * The one window factory, and every security decision about what runs in it: webPreferences
 * inline, the renderer served from a privileged `app://renderer` origin with a strict CSP,
 * and navigation, redirects, popups, webviews and permissions denied by default.
 */
import { readFile } from 'node:fs/promises'
import { BrowserWindow, protocol, shell, type Session, type WebContents } from 'electron'
import { contentSecurityPolicy } from '../host/csp'
import { contentTypeFor, resolveStaticFile } from '../host/staticFiles'
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME, safeUrl } from './rendererOrigin'

const CSP = contentSecurityPolicy()

/** Must run before `app` is ready: makes `app://` a standard, secure origin (not a file: one). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
    },
  ])
}

/** Links the user clicks open in their browser only if plain http(s), no credentials in the URL. */
export function isSafeExternalUrl(url: string): boolean {
  const parsed = safeUrl(url)
  return (
    parsed !== undefined &&
    (parsed.protocol === 'https:' || parsed.protocol === 'http:') &&
    !parsed.username &&
    !parsed.password &&
    url.length <= 2048
  )
}

/**
 * Serves `rendererDir` (out/renderer) on `app://renderer/`. Only files under it, never a
 * directory, `..` refused (see resolveStaticFile); every response carries the CSP.
 */
export function serveRenderer(ses: Session, rendererDir: string): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const url = safeUrl(request.url)
    if (!url || url.host !== APP_HOST) return textResponse(404, 'Not Found')
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return textResponse(405, 'Method Not Allowed')
    const file = await resolveStaticFile(rendererDir, url.pathname)
    if (!file) return textResponse(404, 'Not Found')
    const body = await readFile(file)
    return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
      status: 200,
      headers: {
        'Content-Type': contentTypeFor(file),
        'Content-Security-Policy': CSP,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    })
  })
}

/**
 * Session-wide defences: the CSP header on everything served from app:// (in case a response
 * reaches the page without the protocol handler's headers) and every permission refused.
 */
export function hardenSession(ses: Session, isRendererUrl: (url: string) => boolean): void {
  ses.webRequest.onHeadersReceived((details, callback) => {
    if (!details.url.startsWith(`${APP_SCHEME}://`)) return callback({})
    const headers = { ...details.responseHeaders }
    for (const name of Object.keys(headers))
      if (name.toLowerCase() === 'content-security-policy') delete headers[name]
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [CSP] } })
  })
  // Clipboard writes are the one thing the UI needs (the Copy buttons), from our page only.
  const allowed = (permission: string, origin: string | undefined) =>
    permission === 'clipboard-sanitized-write' && origin !== undefined && isRendererUrl(origin)
  ses.setPermissionRequestHandler((contents, permission, callback) =>
    callback(allowed(permission, contents.getURL())),
  )
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    allowed(permission, requestingOrigin),
  )
  ses.setDevicePermissionHandler(() => false)
}

/**
 * Per-webContents defences; also applied to every webContents the app ever creates (see
 * index.ts), so a popup or webview that slipped through gets the same rules.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-frame-navigate', (event) => {
    // Our own page loading is not a navigation away; anything else in a subframe is refused.
    if (!event.isMainFrame) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

export interface MainWindowOptions {
  preloadPath: string
  /** Set in development: electron-vite's dev server (ELECTRON_RENDERER_URL). */
  devServerUrl: string | undefined
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Eventscope',
    backgroundColor: '#1e1e1e',
    autoHideMenuBar: true,
    webPreferences: {
      preload: options.preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  })
  hardenWebContents(window.webContents)
  window.once('ready-to-show', () => window.show())
  void window.loadURL(options.devServerUrl ?? APP_ENTRY_URL)
  return window
}

function textResponse(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Security-Policy': CSP },
  })
}
