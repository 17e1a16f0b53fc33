import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import { defineConfig, externalizeDepsPlugin } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { reportInitialJs } from './scripts/initialJsSize'

/**
 * `npm run dev` only: the dev server adds inline scripts to index.html (React refresh's
 * preamble), which the page's CSP `script-src 'self'` refuses wherever it applies to them (today
 * they run only because Vite happens to put them above the meta tag). Allow exactly those
 * scripts by hash while serving; `electron-vite build` leaves index.html's strict policy as is.
 */
function devServerCsp(): Plugin {
  return {
    name: 'eventscope:dev-server-csp',
    apply: 'serve',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const inline = [...html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
        if (inline.length === 0) return html
        const hashes = inline.map(
          ([, code]) =>
            `'sha256-${createHash('sha256')
              .update(code ?? '')
              .digest('base64')}'`,
        )
        const relaxed = html.replace("script-src 'self'", `script-src 'self' ${hashes.join(' ')}`)
        if (relaxed === html)
          throw new Error("renderer/index.html's CSP has no script-src 'self' for the dev server")
        return relaxed
      },
    },
  }
}

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(__dirname, 'electron/main/index.ts') } },
    },
  },
  preload: {
    // A sandboxed preload must be one CommonJS file: no ESM, no external imports (zod inlined).
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'electron/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [react(), devServerCsp(), reportInitialJs()],
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified; browser mode serves this same build over
      // HTTP, so it is minified (oxc) like any web app. Lazy chunks keep the first load small.
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') } },
    },
  },
})
