/**
 * The Content-Security-Policy both shells send with the renderer: the desktop app's `app://`
 * responses and browser mode's HTTP responses. renderer/index.html's meta tag must say the same
 * (electron/serve/csp.test.ts checks).
 */
/**
 * The renderer's Content-Security-Policy: scripts and styles from our origin only, no eval, no
 * inline script, no plugins, no framing, and network access only to `connectSrc` ('self' plus
 * whatever the transport needs, e.g. the browser mode's WebSocket URL).
 */
export function contentSecurityPolicy(connectSrc: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    ['connect-src', "'self'", ...connectSrc].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "worker-src 'self'",
  ].join('; ')
}
