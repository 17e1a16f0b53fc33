/**
 * Serving the built renderer safely, shared by both shells: the desktop app's `app://`
 * protocol handler and the browser-mode HTTP server. One place decides which file a URL may
 * read (never outside the root, never a dotfile, never a directory) and its content type; the
 * CSP every response carries is csp.ts'.
 */
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, join, relative, sep } from 'node:path'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * How long a browser may keep a served file. The build's `assets/` holds only files whose names
 * carry a hash of their content (Vite's assetsDir), so a name never changes meaning: a reload
 * takes them from the cache with the code V8 compiled for them, instead of downloading the
 * page's JavaScript again. index.html names the current ones, so it is never kept; anything
 * else is checked with the server each time.
 */
export function cacheControlFor(urlPath: string): string {
  if (urlPath === '/' || urlPath.endsWith('.html')) return 'no-store'
  return urlPath.startsWith('/assets/') ? 'private, max-age=31536000, immutable' : 'no-cache'
}

/**
 * The absolute path of the file `urlPath` (a URL pathname, still percent-encoded) names under
 * `root`, or null when it must not be served: outside the root (`..`, encoded or not, or a
 * symlink leading out), a dotfile or dot-directory, a directory, a NUL or backslash, or missing.
 * `/` is `index.html`.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<string | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (decoded === '' || decoded === '/') decoded = '/index.html'
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null
  const segments = decoded.split('/').slice(1)
  // Rejects '..', '.', hidden files and empty segments ('a//b', trailing '/': no listings).
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return null

  let realRoot: string
  let realFile: string
  try {
    realRoot = await realpath(root)
    realFile = await realpath(join(realRoot, ...segments))
  } catch {
    return null
  }
  const rel = relative(realRoot, realFile)
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) return null
  try {
    return (await stat(realFile)).isFile() ? realFile : null
  } catch {
    return null
  }
}

/** Whether the built renderer exists (browser mode says "run npm run build" otherwise). */
export async function hasIndexHtml(root: string): Promise<boolean> {
  return (await resolveStaticFile(root, '/index.html')) !== null
}
