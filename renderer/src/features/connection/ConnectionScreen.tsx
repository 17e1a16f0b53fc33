/**
 * Choose and connect an event store: embedded SQLite (default), in-memory, or Cassandra.
 * Shows what is connected now, whether events are encrypted, and a clear error with Retry.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import type { ConnectionInfo, ConnectionSettings, StoreKind } from '../../../../shared/contract'
import { explainError, toUiError, type UiError } from '../../ui/errors'
import { useConnectionStore } from '../../stores/connectionStore'
import { reportedError, useConnect, useConnection } from '../../queries/connection'
import { ConnectionOptionsFields } from './ConnectionOptionsFields'
import { DesktopFileButtons } from './DesktopFileButtons'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { AvailabilityDetail } from './Availability'
import { CipherKeySection } from './CipherKeySection'
import { AggregateModules } from './AggregateModules'
import {
  connectBlocker,
  formFrom,
  KIND_LABELS,
  keyspaceError,
  settingsFrom,
  type Form,
  type Update,
} from './connectionForm'
import { PythonFields } from './PythonFields'
import { isPythonStore } from '../../stores/useWriteBlock'

/** What the screen is doing: connecting, reading the connection, or waiting for the user. */
type Phase = 'connecting' | 'loading' | 'ready'

/**
 * What the screen shows of the connection: the reported info, what is under way, the failure to
 * show (the last Connect's, a failed read, or the service's own), and Retry for it.
 */
function useConnectionAttempt() {
  const connection = useConnection()
  const { info } = connection
  const connecting = useConnect()
  const { run, clearError } = connecting
  // What the last Connect sent, so Retry repeats it (a failed first read is read again).
  const [lastSettings, setLastSettings] = useState<ConnectionSettings | null>(null)
  const phase: Phase = connecting.busy ? 'connecting' : connection.fetching ? 'loading' : 'ready'
  const failure = connecting.error ?? connection.error ?? reportedError(info)

  // A pushed `connected` (the store came back) clears a stale failure of the last Connect.
  useEffect(() => {
    if (info?.status === 'connected' && !info.error) clearError()
  }, [info, clearError])

  return {
    info,
    phase,
    error: failure === undefined ? null : toUiError(failure),
    connect(settings: ConnectionSettings) {
      setLastSettings(settings)
      void run(settings)
    },
    retry() {
      if (connecting.error !== undefined && lastSettings) void run(lastSettings)
      else connection.refetch()
    },
  }
}

export function ConnectionScreen() {
  const closeScreen = useConnectionStore((s) => s.closeScreen)
  const { info, phase, error, connect, retry } = useConnectionAttempt()
  const [form, setForm] = useState<Form>(() => formFrom(info))
  const [touched, setTouched] = useState(false)
  const ids = useId()
  const connected = info?.status === 'connected'
  const busy = phase !== 'ready'
  // Connect stays focusable while it works (aria-disabled, not disabled), and Retry hands the
  // focus to it: a keyboard user is never dropped to the page, and hears the outcome there.
  const submit = useRef<HTMLButtonElement>(null)

  // Pre-fill once the main process tells us what is configured (unless the user began typing).
  useEffect(() => {
    if (!touched) setForm(formFrom(info))
  }, [info, touched])

  const update: Update = (key, value) => {
    setTouched(true)
    setForm((f) => ({ ...f, [key]: value }))
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault()
    if (!busy) connect(settingsFrom(form))
  }

  const keyspaceProblem = form.kind === 'cassandra' ? keyspaceError(form.keyspace) : undefined
  // Why Connect is disabled, said next to it (undefined: it is not).
  const disabledReason = connectBlocker(form, keyspaceProblem)
  const cassandraInvalid = disabledReason !== undefined

  return (
    <main className="connection-screen" aria-labelledby={`${ids}-title`}>
      <div className="connection-card">
        <header className="connection-head">
          <h1 id={`${ids}-title`}>Connect to an event store</h1>
          <p className="muted">
            Eventscope reads aggregates, events and snapshots from the store you pick here.
          </p>
        </header>

        <ConnectionStatusCard info={info} phase={phase} />

        <form className="connection-form" onSubmit={onSubmit} aria-label="Connection settings">
          <KindPicker ids={ids} kind={form.kind} onChange={(kind) => update('kind', kind)} />

          <div className="connection-fields">
            {form.kind === 'sqlite' && (
              <div className="field">
                <label htmlFor={`${ids}-path`}>Database file</label>
                <input
                  id={`${ids}-path`}
                  className="input mono"
                  value={form.path}
                  placeholder="Default database file"
                  onChange={(e) => update('path', e.target.value)}
                  spellCheck={false}
                />
                <DesktopFileButtons onPick={(path) => update('path', path)} disabled={busy} />
                <p className="field-hint">
                  Optional. Leave empty to use the app's default database. The file's folder must
                  exist; Eventscope never creates folders.
                </p>
              </div>
            )}
            {form.kind === 'memory' && (
              <p className="field-hint">
                Nothing to configure. Events live only as long as the service runs.
              </p>
            )}
            {(form.kind === 'python-sqlite' || form.kind === 'python-postgres') && (
              <PythonFields
                ids={ids}
                kind={form.kind}
                form={form.python}
                onChange={(python) => update('python', python)}
                busy={busy}
              />
            )}
            {form.kind === 'cassandra' && (
              <CassandraFields
                ids={ids}
                form={form}
                update={update}
                keyspaceProblem={keyspaceProblem}
              />
            )}
          </div>

          <ConnectionOptionsFields
            readOnlyLocked={info?.readOnlyLocked === true}
            value={form.options}
            onChange={(key, value) => update('options', { ...form.options, [key]: value })}
          />

          {/* Next to Connect, so a failed attempt is seen where it was made (announced: alert). */}
          <div className="connection-submit">
            {error && (
              <ConnectError
                error={error}
                stillConnectedTo={connected ? info?.description : undefined}
                busy={busy}
                onRetry={() => {
                  submit.current?.focus()
                  retry()
                }}
              />
            )}
            <div className="connection-actions">
              {disabledReason && (
                <p className="field-hint connection-disabled-reason" id={`${ids}-disabled-reason`}>
                  {disabledReason}
                </p>
              )}
              {connected && (
                <button type="button" className="btn btn-ghost" onClick={closeScreen}>
                  Back to explorer
                </button>
              )}
              <button
                type="submit"
                ref={submit}
                className="btn btn-primary"
                disabled={cassandraInvalid}
                aria-disabled={busy}
                aria-busy={phase === 'connecting'}
                aria-describedby={disabledReason ? `${ids}-disabled-reason` : undefined}
              >
                {phase === 'connecting' ? 'Connecting…' : 'Connect'}
              </button>
            </div>
          </div>
        </form>

        {info && <CipherKeySection info={info} />}
        {info && <AggregateModules info={info} />}
      </div>
    </main>
  )
}

/** A failed attempt, next to Connect where it was made (announced: alert), with Retry. */
function ConnectError({
  error,
  stillConnectedTo,
  busy,
  onRetry,
}: {
  error: UiError
  stillConnectedTo: string | undefined
  busy: boolean
  onRetry: () => void
}) {
  return (
    <div role="alert" className="alert alert-danger connection-error">
      <div>
        <strong>{explainError(error)}</strong>
        <p className="alert-detail">{error.message}</p>
        {stillConnectedTo && <p className="alert-detail">Still connected to {stillConnectedTo}.</p>}
      </div>
      <button type="button" className="btn" onClick={onRetry} disabled={busy}>
        Retry
      </button>
    </div>
  )
}

/** The choice of store: SQLite, in-memory or Cassandra. */
function KindPicker({
  ids,
  kind: checked,
  onChange,
}: {
  ids: string
  kind: StoreKind
  onChange: (kind: StoreKind) => void
}) {
  return (
    <fieldset className="kind-picker">
      <legend>Store</legend>
      {(Object.keys(KIND_LABELS) as StoreKind[]).map((kind) => (
        <label key={kind} className={`kind-option${checked === kind ? ' is-checked' : ''}`}>
          <input
            type="radio"
            name="kind"
            value={kind}
            checked={checked === kind}
            onChange={() => onChange(kind)}
            aria-describedby={`${ids}-${kind}-hint`}
          />
          <span className="kind-title">{KIND_LABELS[kind].title}</span>
          <span className="kind-hint" id={`${ids}-${kind}-hint`} aria-hidden="true">
            {KIND_LABELS[kind].hint}
          </span>
        </label>
      ))}
    </fieldset>
  )
}

/** Where the Cassandra cluster is and how to sign in to it. */
function CassandraFields({
  ids,
  form,
  update,
  keyspaceProblem,
}: {
  ids: string
  form: Form
  update: Update
  keyspaceProblem: string | undefined
}) {
  return (
    <div className="field-grid">
      <div className="field span-2">
        <label htmlFor={`${ids}-cp`}>Contact points</label>
        <input
          id={`${ids}-cp`}
          className="input mono"
          value={form.contactPoints}
          onChange={(e) => update('contactPoints', e.target.value)}
          placeholder="host:port, host:port"
          spellCheck={false}
          required
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-dc`}>Local data center</label>
        <input
          id={`${ids}-dc`}
          className="input"
          value={form.localDataCenter}
          onChange={(e) => update('localDataCenter', e.target.value)}
          required
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-ks`}>Keyspace</label>
        <input
          id={`${ids}-ks`}
          className="input mono"
          value={form.keyspace}
          onChange={(e) => update('keyspace', e.target.value)}
          required
          spellCheck={false}
          aria-invalid={keyspaceProblem !== undefined}
          aria-describedby={keyspaceProblem ? `${ids}-ks-error` : undefined}
        />
        {keyspaceProblem && (
          <p className="field-error" id={`${ids}-ks-error`}>
            {keyspaceProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${ids}-user`}>Username</label>
        <input
          id={`${ids}-user`}
          className="input"
          value={form.username}
          onChange={(e) => update('username', e.target.value)}
          autoComplete="username"
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-pw`}>Password</label>
        <input
          id={`${ids}-pw`}
          className="input"
          type="password"
          value={form.password}
          onChange={(e) => update('password', e.target.value)}
          autoComplete="current-password"
        />
      </div>
      <label className="checkbox span-2">
        <input
          type="checkbox"
          checked={form.tls}
          onChange={(e) => update('tls', e.target.checked)}
        />
        Use TLS
      </label>
    </div>
  )
}

function ConnectionStatusCard({ info, phase }: { info: ConnectionInfo | null; phase: Phase }) {
  const status =
    phase === 'connecting'
      ? 'Connecting…'
      : phase === 'loading'
        ? 'Checking…'
        : info?.status === 'connected'
          ? 'Connected'
          : 'Not connected'
  return (
    <dl className="status-card" aria-label="Current connection">
      <div>
        <dt>Status</dt>
        <dd>
          <span
            className={`dot ${info?.status === 'connected' ? 'dot-ok' : 'dot-off'}`}
            aria-hidden="true"
          />
          {status}
        </dd>
      </div>
      <div>
        <dt>Store</dt>
        <dd className="break-all" title={info ? revealInvisible(info.description) : undefined}>
          {visible(info?.description || '—')}
        </dd>
      </div>
      <div>
        <dt>Encryption</dt>
        <dd>
          {info ? (
            <>
              <span className={`badge ${info.encrypted ? 'badge-ok' : 'badge-warn'}`}>
                {info.encrypted ? 'Encrypted' : 'Not encrypted'}
              </span>{' '}
              <span className="muted">{info.encryptionNote}</span>
            </>
          ) : (
            '—'
          )}
        </dd>
      </div>
      {info?.status === 'connected' && (
        <div>
          <dt>Access</dt>
          <dd>{info.readOnly ? `Read-only: ${info.readOnlyReason ?? ''}` : 'Read and write'}</dd>
        </div>
      )}
      {info?.status === 'connected' && info.availability && (
        <div>
          <dt>Availability</dt>
          <dd>
            <AvailabilityDetail availability={info.availability} />
          </dd>
        </div>
      )}
      {/* Eventscope's own snapshotting policy: a Python application keeps its own. */}
      {info && info.snapshotPeriod > 0 && !isPythonStore(info) && (
        <div>
          <dt>Snapshots</dt>
          <dd>every {info.snapshotPeriod} events</dd>
        </div>
      )}
    </dl>
  )
}
