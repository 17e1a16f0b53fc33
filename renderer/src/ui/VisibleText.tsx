/**
 * Shows stored text as it is, but with every invisible or reordering character (see
 * invisibleCharacters.ts) as a visible ⟨U+202E⟩ marker that a screen reader names ("hidden
 * character: right-to-left override, U+202E"). Use `visible()` wherever stored text reaches
 * the screen; `revealInvisible()` where only a plain string fits (title, option, aria-label).
 */
import type { ReactNode } from 'react'
import { splitInvisible } from '../lib/invisibleCharacters'
import './visibleText.css'

export { revealInvisible } from '../lib/invisibleCharacters'

/** The text itself when it has nothing to reveal; otherwise text and markers. */
export function visible(text: string): ReactNode {
  const pieces = splitInvisible(text)
  if (pieces.length === 1 && typeof pieces[0] === 'string') return pieces[0]
  return pieces.map((piece, index) =>
    typeof piece === 'string' ? (
      piece
    ) : (
      <span
        key={index}
        className="invisible-char"
        role="img"
        aria-label={`hidden character: ${piece.name}, ${piece.code}`}
        title={`${piece.code} ${piece.name}: stored in this text; shown as a marker because it is invisible or reorders text`}
      >
        ⟨{piece.code}⟩
      </span>
    ),
  )
}

export function VisibleText({ text }: { text: string }) {
  return <>{visible(text)}</>
}
