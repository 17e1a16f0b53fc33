/**
 * The connection screen's fields for a Python `eventsourcing` application's store: its SQLite
 * file, or its PostgreSQL database (host, port, database, user, password, schema, TLS), and
 * the application's name or table names. Such a store is always opened read-only; its
 * CIPHER_KEY is entered as the cipher key below the form.
 */
import type { ConnectionInfo, ConnectionSettings } from '../../../../shared/contract'
import { DesktopFileButtons } from './DesktopFileButtons'

export type PythonKind = 'python-sqlite' | 'python-postgres'

export const PYTHON_KIND_LABELS: Record<PythonKind, { title: string; hint: string }> = {
  'python-sqlite': {
    title: 'eventsourcing (Python) on SQLite',
    hint: "A Python eventsourcing application's SQLite file, read-only.",
  },
  'python-postgres': {
    title: 'eventsourcing (Python) on PostgreSQL',
    hint: "A Python eventsourcing application's PostgreSQL tables, read-only.",
  },
}

export interface PythonForm {
  path: string
  host: string
  port: string
  database: string
  user: string
  password: string
  schema: string
  tls: boolean
  application: string
  eventsTable: string
  snapshotsTable: string
}

export const emptyPythonForm: PythonForm = {
  path: '',
  host: '127.0.0.1',
  port: '5432',
  database: 'postgres',
  user: '',
  password: '',
  schema: '',
  tls: false,
  application: '',
  eventsTable: '',
  snapshotsTable: '',
}

type Shown = NonNullable<ConnectionInfo['settings']>

/** The form as the connection's settings show it (never the password). */
export function pythonFormFrom(s: Shown): PythonForm | undefined {
  const tables = {
    application: (s as { pythonApplication?: string }).pythonApplication ?? '',
    eventsTable: (s as { pythonEventsTable?: string }).pythonEventsTable ?? '',
    snapshotsTable: (s as { pythonSnapshotsTable?: string }).pythonSnapshotsTable ?? '',
  }
  if (s.kind === 'python-sqlite') return { ...emptyPythonForm, ...tables, path: s.path }
  if (s.kind === 'python-postgres') {
    return {
      ...emptyPythonForm,
      ...tables,
      host: s.pgHost,
      port: String(s.pgPort),
      database: s.pgDatabase,
      user: s.pgUser ?? '',
      schema: s.pgSchema ?? '',
      tls: s.pgTls,
    }
  }
  return undefined
}

export function pythonSettingsFrom(
  kind: PythonKind,
  form: PythonForm,
  options: Pick<ConnectionSettings, 'readOnly' | 'label' | 'labelColour'>,
): ConnectionSettings {
  const text = (value: string) => value.trim() || undefined
  const tables = Object.fromEntries(
    Object.entries({
      pythonApplication: text(form.application),
      pythonEventsTable: text(form.eventsTable),
      pythonSnapshotsTable: text(form.snapshotsTable),
    }).filter(([, v]) => v !== undefined),
  )
  if (kind === 'python-sqlite') return { ...options, kind, path: form.path.trim(), ...tables }
  return {
    ...options,
    kind,
    pgHost: form.host.trim(),
    pgPort: Number(form.port),
    pgDatabase: form.database.trim(),
    ...(text(form.user) ? { pgUser: form.user.trim() } : {}),
    ...(form.password ? { pgPassword: form.password } : {}),
    ...(text(form.schema) ? { pgSchema: form.schema.trim() } : {}),
    pgTls: form.tls,
    ...tables,
  }
}

/** Why Connect cannot be pressed yet (undefined: it can). */
export function pythonBlocker(kind: PythonKind, form: PythonForm): string | undefined {
  if (kind === 'python-sqlite') return form.path.trim() ? undefined : 'Enter the SQLite file.'
  if (!form.host.trim()) return 'Enter the PostgreSQL host.'
  if (!/^\d{1,5}$/.test(form.port.trim())) return 'Enter the PostgreSQL port (a number).'
  return form.database.trim() ? undefined : 'Enter the database.'
}

function Text({
  id,
  label,
  value,
  onChange,
  type = 'text',
  placeholder,
  wide,
}: {
  id: string
  label: string
  value: string
  onChange: (value: string) => void
  type?: string
  placeholder?: string
  wide?: boolean
}) {
  return (
    <div className={`field${wide ? ' span-2' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input mono"
        type={type}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        spellCheck={false}
      />
    </div>
  )
}

export function PythonFields({
  ids,
  kind,
  form,
  onChange,
  busy,
}: {
  ids: string
  kind: PythonKind
  form: PythonForm
  onChange: (form: PythonForm) => void
  busy: boolean
}) {
  const set =
    <K extends keyof PythonForm>(key: K) =>
    (value: PythonForm[K]) =>
      onChange({ ...form, [key]: value })
  return (
    <div className="field-grid">
      {kind === 'python-sqlite' ? (
        <div className="field span-2">
          <Text
            id={`${ids}-py-path`}
            label="SQLite file"
            value={form.path}
            onChange={set('path')}
          />
          <DesktopFileButtons onPick={set('path')} disabled={busy} />
        </div>
      ) : (
        <>
          <Text id={`${ids}-py-host`} label="Host" value={form.host} onChange={set('host')} />
          <Text id={`${ids}-py-port`} label="Port" value={form.port} onChange={set('port')} />
          <Text
            id={`${ids}-py-db`}
            label="Database"
            value={form.database}
            onChange={set('database')}
          />
          <Text
            id={`${ids}-py-schema`}
            label="Schema"
            value={form.schema}
            onChange={set('schema')}
            placeholder="public"
          />
          <Text id={`${ids}-py-user`} label="User" value={form.user} onChange={set('user')} />
          <Text
            id={`${ids}-py-pw`}
            label="Password"
            type="password"
            value={form.password}
            onChange={set('password')}
          />
          <label className="checkbox span-2">
            <input
              type="checkbox"
              checked={form.tls}
              onChange={(e) => set('tls')(e.target.checked)}
            />
            Use TLS
          </label>
        </>
      )}
      <Text
        id={`${ids}-py-app`}
        label="Application name"
        value={form.application}
        onChange={set('application')}
        placeholder={kind === 'python-postgres' ? 'e.g. BankAccounts' : 'not needed on SQLite'}
        wide
      />
      <Text
        id={`${ids}-py-events`}
        label="Events table"
        value={form.eventsTable}
        onChange={set('eventsTable')}
        placeholder="from the name"
      />
      <Text
        id={`${ids}-py-snapshots`}
        label="Snapshots table"
        value={form.snapshotsTable}
        onChange={set('snapshotsTable')}
        placeholder="from the name"
      />
      <p className="field-hint span-2">
        Opened read-only. On PostgreSQL the library names the tables after the application (
        <code>name_events</code>, <code>name_snapshots</code>); on SQLite they are{' '}
        <code>stored_events</code> and <code>stored_snapshots</code>. If the application encrypts,
        enter its <code>CIPHER_KEY</code> as the cipher key below; compression is detected.
      </p>
    </div>
  )
}
