/**
 * Keeps the keyboard user's place in an editing session. The control they used is often
 * disabled while the call runs (Save, Stage, Reload) or gone afterwards (Remove, Reload latest),
 * which drops the focus to the page; after each action the focus goes to the next sensible
 * control in the session's own element:
 *   - a refused save: its Reload latest (the fix the alert explains);
 *   - a save, a discard: the first field of the command form, to stage the next command;
 *   - a reload, a removal: Save when something is staged, else the command form;
 *   - staging: the focus stays where it was (the field or Stage), or returns to Stage.
 * Targets carry data-session-focus="compose" (the form), "save", "stage" or "reload".
 * Focus that the user moved elsewhere meanwhile is left alone.
 */
import { useEffect, type RefObject } from 'react'
import type { SettledAction } from '../stores/useCommandSession'

const FIELDS = 'select, input, textarea, button'

function usable(element: Element | null): element is HTMLElement {
  return (
    element instanceof HTMLElement &&
    element.isConnected &&
    !(element as HTMLButtonElement).disabled &&
    element.getAttribute('aria-disabled') !== 'true'
  )
}

function target(scope: HTMLElement, name: string): HTMLElement | null {
  const marked = scope.querySelector(`[data-session-focus="${name}"]`)
  if (name !== 'compose') return usable(marked) ? marked : null
  const fields = marked ? Array.from(marked.querySelectorAll(FIELDS)) : []
  return fields.find(usable) ?? null
}

function next(scope: HTMLElement, settled: SettledAction, staged: number): HTMLElement | null {
  const saveOrCompose = () =>
    (staged > 0 ? target(scope, 'save') : null) ?? target(scope, 'compose')
  switch (settled.action) {
    case 'save':
      return settled.ok
        ? target(scope, 'compose')
        : (target(scope, 'reload') ?? target(scope, 'save'))
    case 'discard':
      return target(scope, 'compose')
    case 'reload':
    case 'remove':
      return saveOrCompose()
    case 'stage':
      return target(scope, 'stage') ?? target(scope, 'compose')
  }
}

export function useSessionFocus(
  scope: RefObject<HTMLElement | null>,
  settled: SettledAction | null,
  staged: number,
): void {
  useEffect(() => {
    const root = scope.current
    if (!settled || !root) return
    const active = document.activeElement
    const lost = !usable(active) || active === document.body
    // Staging keeps a usable focus where it is (a field after Enter, or Stage).
    if (settled.action === 'stage' && !lost) return
    if (!lost && !root.contains(active)) return
    // Without scrolling: the outcome just shown (scrolled into view) stays in view.
    next(root, settled, staged)?.focus({ preventScroll: true })
    // Only a newly settled action moves the focus, not a change of what is staged.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settled])
}
