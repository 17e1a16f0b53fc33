/**
 * The renderer's initial JavaScript: what index.html makes the browser load before the first
 * paint. That is the entry chunk and, transitively, the chunks it imports statically (Vite
 * preloads exactly those with <link rel="modulepreload">); chunks reached only through dynamic
 * import() (the lazy tabs, the connection screen) load on demand and do not count.
 * `electron-vite build` prints the total after the renderer build (see electron.vite.config.ts).
 */
import { gzipSync } from 'node:zlib'
import type { Plugin } from 'vite'

/** The parts of a Rollup/Rolldown output bundle this needs (a fixture can build one by hand). */
export type BundleLike = Readonly<
  Record<
    string,
    | { type: 'chunk'; isEntry: boolean; imports: readonly string[]; code: string }
    | { type: 'asset' }
  >
>

export interface InitialJs {
  /** The initial chunks' file names, entry first, each once. */
  files: string[]
  raw: number
  gzip: number
}

export function initialJs(bundle: BundleLike): InitialJs {
  const files: string[] = []
  const visit = (name: string): void => {
    const item = bundle[name]
    if (!item || item.type !== 'chunk' || files.includes(name)) return
    files.push(name)
    for (const imported of item.imports) visit(imported)
  }
  for (const [name, item] of Object.entries(bundle))
    if (item.type === 'chunk' && item.isEntry) visit(name)
  let raw = 0
  let gzip = 0
  for (const name of files) {
    const item = bundle[name]
    if (item?.type !== 'chunk') continue
    const bytes = Buffer.from(item.code, 'utf8')
    raw += bytes.length
    gzip += gzipSync(bytes, { level: 9 }).length
  }
  return { files, raw, gzip }
}

export function formatInitialJs({ files, raw, gzip }: InitialJs): string {
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`
  const chunks = `${files.length} ${files.length === 1 ? 'chunk' : 'chunks'}`
  return `initial JS: ${kb(raw)} (gzip ${kb(gzip)}) in ${chunks}`
}

/** Prints the initial JS after each client build; it informs, it never fails the build. */
export function reportInitialJs(): Plugin {
  return {
    name: 'eventscope:initial-js-size',
    apply: 'build',
    writeBundle(_options, bundle) {
      // Rolldown's chunk type carries more than BundleLike names; the shape is the same.
      console.log(formatInitialJs(initialJs(bundle as unknown as BundleLike)))
    },
  }
}
