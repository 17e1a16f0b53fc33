import { useEffect, useRef, type RefObject } from 'react'

/**
 * Scrolls the returned element into view whenever `outcome` changes to something (a saved
 * batch, a refusal, a check's result): an action's answer that lands below the fold of a
 * scrolled panel looks, to the user, like nothing happened. "nearest" moves as little as it can
 * and not at all when the element is already on screen.
 */
export function useReveal<T extends HTMLElement>(outcome: unknown): RefObject<T | null> {
  const ref = useRef<T>(null)
  useEffect(() => {
    if (outcome === null || outcome === undefined || outcome === false) return
    const element = ref.current
    // jsdom (unit tests) has no layout and no scrollIntoView.
    if (element && 'scrollIntoView' in element) element.scrollIntoView({ block: 'nearest' })
  }, [outcome])
  return ref
}
