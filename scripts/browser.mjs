// Which Chromium the end-to-end tests launch: shared by scripts/test.mjs (plain Node, so this is
// JavaScript) and playwright.config.ts. Playwright never downloads one here.
import { existsSync } from 'node:fs'

/** Debian's package (`apt-get install chromium`), what CI installs. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium'

/**
 * The first browser that exists: the override alone when one is given (EVENTSCOPE_E2E_BROWSER),
 * else Debian's chromium, else Playwright's own Chromium where `npx playwright install chromium`
 * put it.
 */
export function findBrowser({ override, playwrightChromium, exists = existsSync }) {
  const candidates = override ? [override] : [DEBIAN_CHROMIUM, playwrightChromium]
  return candidates.find((path) => typeof path === 'string' && path !== '' && exists(path))
}

/** Where Playwright's own Chromium would be; undefined when Playwright is not installed. */
export async function playwrightChromiumPath() {
  try {
    const { chromium } = await import('playwright-core')
    return chromium.executablePath()
  } catch {
    return undefined
  }
}

/** The one line `npm test` stops with when no browser was found. */
export function noBrowserMessage(override) {
  const why = override
    ? `EVENTSCOPE_E2E_BROWSER names ${override}, which does not exist`
    : `no Chromium for the end-to-end tests (neither ${DEBIAN_CHROMIUM} nor Playwright's own)`
  return (
    `✗ ${why}: install one with \`sudo apt-get install chromium\` (Debian) or ` +
    `\`npx playwright install chromium\` (where downloads are allowed), ` +
    'or run the other steps only: `npm test -- typecheck lint unit electron-sqlite outage`'
  )
}
