/**
 * The connection screen's cipher-key section: which key is in use, whether it matches the store's
 * key check, and a form to enter one (never shown or sent back).
 */
import { useId, useRef, useState, type FormEvent } from 'react'
import type { ConnectionInfo } from '../../../../shared/contract'
import { useCipherKeyChange } from '../../queries/connection'
import { toUiError } from '../../ui/errors'
import { KeyStatusNotice } from './ConnectionOptionsFields'

const KEY_SOURCE_LABELS: Record<ConnectionInfo['keySource'], string> = {
  environment: 'From the environment (EVENTSCOPE_CIPHER_KEY)',
  saved: 'Saved on this computer',
  entered: 'Entered for this session',
  none: 'None: events are not encrypted',
}

/**
 * Enter the cipher key once: it goes to the main process and is never shown or sent back.
 * The input is cleared after use, whatever the outcome.
 */
export function CipherKeySection({ info }: { info: ConnectionInfo }) {
  const change = useCipherKeyChange()
  const keyBusy = change.busy
  // Why the last change failed (never holds the key).
  const keyError = change.error === undefined ? null : toUiError(change.error)
  const [key, setKey] = useState('')
  const [remember, setRemember] = useState(false)
  const ids = useId()
  // Use key is disabled once the input is cleared, and Forget goes once the saved key has: the
  // focus goes to the key field rather than dropping to the page.
  const input = useRef<HTMLInputElement>(null)

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    const entered = key
    setKey('')
    input.current?.focus()
    void change.run({ kind: 'set', keyBase64: entered, remember: remember && info.canRememberKey })
  }
  const forget = () => {
    input.current?.focus()
    void change.run({ kind: 'forget' })
  }

  return (
    <section className="cipher-key" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Cipher key</h2>
      {/* A status: the new key in use is announced after Use key or Forget. */}
      <p role="status">
        Key in use: <strong>{KEY_SOURCE_LABELS[info.keySource]}</strong>
      </p>
      {info.keySource === 'none' && <p className="muted">Events are not encrypted.</p>}
      <KeyStatusNotice info={info} />
      {keyError && (
        <div role="alert" className="alert alert-danger">
          <div>
            <strong>The cipher key was not changed.</strong>
            <p className="alert-detail">{keyError.message}</p>
          </div>
        </div>
      )}
      <form className="cipher-key-form" onSubmit={onSubmit} aria-label="Cipher key">
        <div className="field">
          <label htmlFor={`${ids}-key`}>Cipher key (base64)</label>
          <input
            id={`${ids}-key`}
            ref={input}
            className="input mono"
            type="password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-describedby={`${ids}-key-hint`}
          />
          <p className="field-hint" id={`${ids}-key-hint`}>
            Base64 of 16, 24 or 32 bytes. It is checked against the store's key check at once: a
            wrong key (or none, for an encrypted store) makes the connection read-only.
          </p>
        </div>
        {info.canRememberKey && (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={remember}
              onChange={(e) => setRemember(e.target.checked)}
            />
            Remember on this computer
          </label>
        )}
        <div className="connection-actions">
          {info.keySource === 'saved' && (
            <button type="button" className="btn btn-ghost" onClick={forget} disabled={keyBusy}>
              Forget saved key
            </button>
          )}
          <button
            type="submit"
            className="btn"
            disabled={keyBusy || !key.trim()}
            aria-busy={keyBusy}
          >
            Use key
          </button>
        </div>
      </form>
    </section>
  )
}
