/** A JsonTree row by its text, caret left out (a name query over hundreds of rows is slow in jsdom). */
export function treeRow(text: string): HTMLElement {
  const found = [...document.querySelectorAll('[role="treeitem"]')].find(
    (e) => e.textContent?.replace(/^[▸▾]/, '') === text,
  )
  if (!(found instanceof HTMLElement)) throw new Error(`no row reads ${text}`)
  return found
}
