/** Which Chromium the end-to-end tests get, decided on made-up paths (the choice is pure logic). */
import { describe, expect, it } from 'vitest'
import { DEBIAN_CHROMIUM, findBrowser, noBrowserMessage } from './browser.mjs'

const PLAYWRIGHTS = '/home/me/.cache/ms-playwright/chromium-1255/chrome-linux64/chrome'
const existing =
  (...paths: string[]) =>
  (path: string) =>
    paths.includes(path)

describe('findBrowser', () => {
  it("prefers Debian's chromium when both exist", () => {
    const exists = existing(DEBIAN_CHROMIUM, PLAYWRIGHTS)
    expect(findBrowser({ playwrightChromium: PLAYWRIGHTS, exists })).toBe(DEBIAN_CHROMIUM)
  })

  it("falls back to Playwright's own Chromium once installed", () => {
    const exists = existing(PLAYWRIGHTS)
    expect(findBrowser({ playwrightChromium: PLAYWRIGHTS, exists })).toBe(PLAYWRIGHTS)
  })

  it("finds none when Playwright's would-be path is empty too", () => {
    expect(findBrowser({ playwrightChromium: PLAYWRIGHTS, exists: existing() })).toBeUndefined()
    expect(findBrowser({ playwrightChromium: undefined, exists: existing() })).toBeUndefined()
  })

  it('takes the override alone: a missing override is not replaced by another browser', () => {
    const exists = existing(DEBIAN_CHROMIUM, PLAYWRIGHTS, '/opt/chromium/chrome')
    expect(findBrowser({ override: '/opt/chromium/chrome', exists })).toBe('/opt/chromium/chrome')
    expect(findBrowser({ override: '/nowhere/chromium', exists })).toBeUndefined()
  })
})

describe('noBrowserMessage', () => {
  it('is one line naming both ways to get a browser', () => {
    const line = noBrowserMessage()
    expect(line).not.toContain('\n')
    expect(line).toContain('sudo apt-get install chromium')
    expect(line).toContain('npx playwright install chromium')
  })

  it('names the override when that is what is missing', () => {
    expect(noBrowserMessage('/nowhere/chromium')).toContain(
      'EVENTSCOPE_E2E_BROWSER names /nowhere/chromium',
    )
  })
})
