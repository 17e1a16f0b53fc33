/**
 * Runs inside the page (Playwright's addInitScript, before the app's own code): the input →
 * frame timings, with performance marks and measures named `bench:*` so a DevTools trace of a
 * run shows them. "The frame that shows the result" is the first requestAnimationFrame after
 * the DOM holds it: the frame in which it is painted.
 *
 * Plain JavaScript in a string: it runs in the page, not in Node.
 */
export const PAGE_PROBE = String.raw`
(() => {
  const q = (sel, root) => (root || document).querySelector(sel)
  const nextFrame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())))
  // Resolves with the time of the frame after check() first holds (checked on every mutation).
  const until = (check, timeoutMs) =>
    new Promise((resolve, reject) => {
      if (check()) return void nextFrame().then(resolve)
      const timer = setTimeout(() => {
        observer.disconnect()
        reject(new Error('timed out waiting for the page'))
      }, timeoutMs)
      const observer = new MutationObserver(() => {
        if (!check()) return
        observer.disconnect()
        clearTimeout(timer)
        nextFrame().then(resolve)
      })
      observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true })
    })
  const measure = (name, t0, t1) => {
    performance.measure('bench:' + name, { start: t0, end: t1 })
    return t1 - t0
  }
  const listRow = () => q('[role="listbox"][aria-label="Aggregates"] [role="option"]')

  // Page load → first list row, from navigation start (performance.now() is 0 there).
  const firstRow = until(listRow, 600000).then((t) => measure('first-list-row', 0, t))

  const view = (id) => q('section[aria-label="Aggregate ' + id + '"]')
  const option = (id) =>
    [...document.querySelectorAll('[role="listbox"][aria-label="Aggregates"] [role="option"]')].find(
      (o) => o.textContent.includes(id),
    )
  const timelineRow = (id) => {
    const v = view(id)
    return v && q('[role="table"][aria-label="Events"] .timeline-body [role="row"]', v)
  }

  const options = () => [...document.querySelectorAll('[role="listbox"][aria-label="Aggregates"] [role="option"]')]
  const idOf = (o) => (o.textContent.match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i) || [''])[0].toLowerCase()
  const prefixBox = () => {
    const label = [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === 'Filter by id prefix')
    return label && document.getElementById(label.htmlFor)
  }
  // As a keystroke does: the value set the way the browser sets it, then its input event.
  const typeInto = (box, value) => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(box, value)
    box.dispatchEvent(new Event('input', { bubbles: true }))
  }
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

  window.__bench = {
    firstRow: () => firstRow,
    /** Selects an aggregate and waits for its view, untimed. */
    async select(id) {
      await until(() => option(id), 600000)
      option(id).click()
      // Ready when the scrubber says which version is on screen (untimed: may be a full load);
      // an error shown in the view ends the wait with its text.
      let failed = null
      await until(() => {
        const alert = view(id) && q('[role="tabpanel"] [role="alert"], [role="tabpanel"] .panel-message', view(id))
        if (alert && alert.textContent.trim()) failed = alert.textContent.trim()
        return failed || (view(id) && q('[aria-label="Time travel"] [role="status"] strong'))
      }, 600000)
      if (failed) throw new Error('the page shows: ' + failed)
    },
    async openTab(name) {
      await until(() => [...document.querySelectorAll('[role="tab"]')].find((t) => t.textContent.trim() === name), 60000)
      ;[...document.querySelectorAll('[role="tab"]')].find((t) => t.textContent.trim() === name).click()
    },
    /** Click on an aggregate in the list → the frame showing its first timeline rows. */
    async clickToTimeline(id, otherId) {
      await until(() => timelineRow(otherId), 60000)
      await until(() => option(id), 60000)
      const t0 = performance.now()
      performance.mark('bench:click-aggregate')
      option(id).click()
      return measure('first-timeline-rows', t0, await until(() => timelineRow(id), 60000))
    },
    latest() {
      return Number(q('input[type="range"][aria-label="Version"]').max)
    },
    shown() {
      const s = q('[aria-label="Time travel"] [role="status"] strong')
      return s ? Number(s.textContent) : null
    },
    /**
     * Types the prefix into the id filter a character at a time, gapMs apart; times the last
     * keystroke → the frame in which every listed row's id starts with it. (The rows of the
     * prefix one character shorter are kept on screen until the answer: the caller picks a
     * prefix whose shorter one matches many ids, so they cannot pass for the answer.)
     */
    async filterByPrefix(prefix, gapMs) {
      const box = prefixBox()
      if (!box) throw new Error('no id prefix filter on the page')
      for (let i = 1; i < prefix.length; i++) {
        typeInto(box, prefix.slice(0, i))
        await sleep(gapMs)
      }
      const t0 = performance.now()
      performance.mark('bench:prefix-last-key')
      typeInto(box, prefix)
      const answered = () => {
        const shown = options()
        return shown.length > 0 && shown.every((o) => idOf(o).startsWith(prefix))
      }
      return measure('prefix-filter', t0, await until(answered, 60000))
    },
    /** Empties the id filter and waits for the unfiltered list (untimed). */
    async clearPrefix(prefix) {
      typeInto(prefixBox(), '')
      await until(() => options().some((o) => !idOf(o).startsWith(prefix)), 60000)
    },
    /** Slider input → the frame whose status says the state of that version is shown. */
    async scrub(version) {
      const slider = q('input[type="range"][aria-label="Version"]')
      const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set
      const t0 = performance.now()
      performance.mark('bench:scrub-input')
      set.call(slider, String(version))
      slider.dispatchEvent(new Event('input', { bubbles: true }))
      const shown = () => {
        const s = q('[aria-label="Time travel"] [role="status"] strong')
        return s !== null && s.textContent === String(version)
      }
      return measure('scrub', t0, await until(shown, 300000))
    },
  }
})()
`
