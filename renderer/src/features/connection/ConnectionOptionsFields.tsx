/**
 * The connection screen's part for read-only mode and the environment label, and what it says
 * about the cipher key compared with the store's key check.
 */
import { useId } from 'react'
import { LabelColour, type ConnectionInfo } from '../../../../shared/contract'
import './access.css'

export interface ConnectionOptions {
  readOnly: boolean
  label: string
  labelColour: LabelColour
}

export function connectionOptionsFrom(info: ConnectionInfo | null): ConnectionOptions {
  const s = info?.settings
  return {
    readOnly: s?.readOnly ?? false,
    label: s?.label ?? '',
    labelColour: s?.labelColour ?? 'red',
  }
}

/** The settings' fields for these options (absent when off or empty). */
export function connectionOptionsSettings(options: ConnectionOptions): {
  readOnly?: boolean
  label?: string
  labelColour?: LabelColour
} {
  const label = options.label.trim()
  return {
    ...(options.readOnly ? { readOnly: true } : {}),
    ...(label ? { label, labelColour: options.labelColour } : {}),
  }
}

const COLOUR_NAMES: Record<LabelColour, string> = {
  red: 'Red',
  orange: 'Orange',
  green: 'Green',
  blue: 'Blue',
  purple: 'Purple',
  grey: 'Grey',
}

export function ConnectionOptionsFields({
  value,
  onChange,
  readOnlyLocked = false,
}: {
  value: ConnectionOptions
  onChange: <K extends keyof ConnectionOptions>(key: K, next: ConnectionOptions[K]) => void
  /** EVENTSCOPE_READ_ONLY is set: every connection is read-only and the toggle cannot change it. */
  readOnlyLocked?: boolean
}) {
  const ids = useId()
  return (
    <fieldset className="connection-options">
      <legend>Safety</legend>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={value.readOnly || readOnlyLocked}
          disabled={readOnlyLocked}
          onChange={(e) => onChange('readOnly', e.target.checked)}
          aria-describedby={`${ids}-ro-hint`}
        />
        Open read-only
      </label>
      <p className="field-hint" id={`${ids}-ro-hint`}>
        {readOnlyLocked
          ? 'Always on: this run was started with EVENTSCOPE_READ_ONLY=1, so every connection is read-only.'
          : 'Nothing can be saved, seeded or changed: for looking at a production store safely.'}
      </p>
      <div className="field-grid">
        <div className="field">
          <label htmlFor={`${ids}-label`}>Environment label</label>
          <input
            id={`${ids}-label`}
            className="input"
            value={value.label}
            maxLength={40}
            placeholder="e.g. PRODUCTION"
            onChange={(e) => onChange('label', e.target.value)}
            aria-describedby={`${ids}-label-hint`}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-colour`}>Label colour</label>
          <select
            id={`${ids}-colour`}
            className="input"
            value={value.labelColour}
            onChange={(e) => onChange('labelColour', LabelColour.parse(e.target.value))}
          >
            {LabelColour.options.map((colour) => (
              <option key={colour} value={colour}>
                {COLOUR_NAMES[colour]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="field-hint" id={`${ids}-label-hint`}>
        Optional. Shown in the header at all times, so you always know which store this is.
      </p>
    </fieldset>
  )
}

/**
 * The cipher key compared with the store's key check: an alert on a mismatch (the connection is
 * read-only until it is fixed), a plain status otherwise.
 */
export function KeyStatusNotice({ info }: { info: ConnectionInfo }) {
  const status = info.status === 'connected' ? info.keyStatus : undefined
  if (!status) return null
  if (status.mismatch) {
    return (
      <div role="alert" className="alert alert-danger key-status">
        <div>
          <strong>
            {MISMATCH_TITLES[status.state] ?? 'The cipher key does not match this store'}
          </strong>
          <p className="alert-detail">
            {status.message} Until then the connection is read-only: nothing can be written.
          </p>
        </div>
      </div>
    )
  }
  return (
    <p className="key-status" role="status">
      <span className="badge badge-ok">Key check</span> {status.message}
    </p>
  )
}

const MISMATCH_TITLES: Partial<Record<string, string>> = {
  'missing-key': 'This store is encrypted: a cipher key is needed',
  'wrong-key': 'Wrong cipher key for this store',
  'unexpected-key': 'This store is not encrypted, but a key is set',
}
