/**
 * What a browser shows when it loads a page with an earlier run's token (the server restarted)
 * or with none (an incomplete link): a short page saying which address to open, instead of a
 * bare "Forbidden". It is sent under the refusals' CSP (`default-src 'none'`), so it holds no
 * script, style or image; the browser's own styles (light or dark) are enough.
 */
import type { IncomingMessage } from 'node:http'

/** A page load: a GET whose Accept names HTML (a fetch or the page's HEAD probe does not). */
export function isPageLoad(req: IncomingMessage, pathname: string, wsPath: string): boolean {
  if (req.method !== 'GET' || pathname === wsPath) return false
  return (req.headers.accept ?? '').toLowerCase().includes('text/html')
}

/** The page; `origin` is this server's, so the address it names is the one the server printed. */
export function restartedPageHtml(origin: string): string {
  const address = `${origin}/?token=…`
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    '<title>Eventscope: open the address the server printed</title>',
    '<main>',
    '<h1>Open the address the server printed</h1>',
    '<p>This page has no valid access token: the Eventscope server was restarted (each run has ' +
      'a new token), or the link is incomplete. Open the address the server printed in its ' +
      `terminal, the line <code>Eventscope is running at ${address}</code>, with its token.</p>`,
    '</main>',
    '</html>',
    '',
  ].join('\n')
}

/** A Set-Cookie that removes the named cookie (same Path and flags as the one set). */
export function clearedCookie(name: string): string {
  return `${name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`
}
