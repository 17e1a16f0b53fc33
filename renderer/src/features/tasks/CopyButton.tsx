import { useEffect, useRef, useState } from 'react'
import { copyText } from '../../lib/clipboard'
import './tasks.css'

/**
 * Copies `text` and confirms with a visible "Copied" that takes the label's place without
 * changing the button's size; the confirmation is also announced.
 */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const timer = useRef<number | undefined>(undefined)

  useEffect(() => () => window.clearTimeout(timer.current), [])

  const copy = () => {
    window.clearTimeout(timer.current)
    void copyText(text).then((ok) => {
      setState(ok ? 'copied' : 'failed')
      timer.current = window.setTimeout(() => setState('idle'), 2000)
    })
  }

  return (
    <span className="copy-button">
      <button type="button" className="copy-button__button" aria-label={label} onClick={copy}>
        <span className="copy-button__stack" aria-hidden="true">
          <span className={state === 'idle' ? undefined : 'copy-button__hidden'}>{label}</span>
          <span className={state === 'copied' ? undefined : 'copy-button__hidden'}>✓ Copied</span>
          <span className={state === 'failed' ? undefined : 'copy-button__hidden'}>
            Copy failed
          </span>
        </span>
      </button>
      <span className="visually-hidden" role="status">
        {state === 'copied'
          ? 'Copied'
          : state === 'failed'
            ? 'Could not copy to the clipboard'
            : ''}
      </span>
    </span>
  )
}
