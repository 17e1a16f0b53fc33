/**
 * The connection screen's form: its fields, how they are filled from the reported connection,
 * the settings they make, and why Connect cannot be pressed yet. No React state.
 */
import type { ConnectionInfo, ConnectionSettings, StoreKind } from '../../../../shared/contract'
import {
  connectionOptionsFrom,
  connectionOptionsSettings,
  type ConnectionOptions,
} from './ConnectionOptionsFields'
import {
  emptyPythonForm,
  PYTHON_KIND_LABELS,
  pythonBlocker,
  pythonFormFrom,
  pythonSettingsFrom,
  type PythonForm,
} from './PythonFields'

export const KIND_LABELS: Record<StoreKind, { title: string; hint: string }> = {
  sqlite: { title: 'Embedded SQLite', hint: 'A local database file. The default.' },
  memory: { title: 'In-memory', hint: 'For demos: gone when the app stops.' },
  cassandra: {
    title: 'Cassandra',
    hint: 'A Cassandra cluster (contact points, data center, keyspace).',
  },
  ...PYTHON_KIND_LABELS,
}

export interface Form {
  kind: StoreKind
  path: string
  contactPoints: string
  localDataCenter: string
  keyspace: string
  username: string
  password: string
  tls: boolean
  python: PythonForm
  options: ConnectionOptions
}

/** Changes one field of the form (and marks it as touched by the user). */
export type Update = <K extends keyof Form>(key: K, value: Form[K]) => void

export function formFrom(info: ConnectionInfo | null): Form {
  const form: Form = {
    kind: 'sqlite',
    path: '',
    contactPoints: '127.0.0.1:9042',
    localDataCenter: 'datacenter1',
    keyspace: 'eventscope',
    username: '',
    password: '',
    tls: false,
    python: emptyPythonForm,
    options: connectionOptionsFrom(info),
  }
  const s = info?.settings
  if (s?.kind === 'sqlite') return { ...form, kind: 'sqlite', path: s.path ?? '' }
  if (s?.kind === 'memory') return { ...form, kind: 'memory' }
  const python = s && pythonFormFrom(s)
  if (s && python) return { ...form, kind: s.kind, python }
  if (s?.kind === 'cassandra') {
    return {
      ...form,
      kind: 'cassandra',
      contactPoints: s.contactPoints.join(', '),
      localDataCenter: s.localDataCenter,
      keyspace: s.keyspace,
      username: s.username ?? '',
      tls: s.tls,
    }
  }
  return form
}

export function settingsFrom(form: Form): ConnectionSettings {
  const options = connectionOptionsSettings(form.options)
  switch (form.kind) {
    case 'memory':
      return { kind: 'memory', ...options }
    case 'sqlite':
      return form.path.trim()
        ? { kind: 'sqlite', path: form.path.trim(), ...options }
        : { kind: 'sqlite', ...options }
    case 'cassandra':
      return {
        ...options,
        kind: 'cassandra',
        contactPoints: form.contactPoints
          .split(/[\s,]+/)
          .map((p) => p.trim())
          .filter(Boolean),
        localDataCenter: form.localDataCenter.trim(),
        keyspace: form.keyspace.trim(),
        ...(form.username.trim() ? { username: form.username.trim() } : {}),
        ...(form.password ? { password: form.password } : {}),
        tls: form.tls,
      }
    case 'python-sqlite':
    case 'python-postgres':
      return pythonSettingsFrom(form.kind, form.python, options)
  }
}

/** Why Connect cannot be pressed yet, in words (undefined: it can). */
export function connectBlocker(
  form: Form,
  keyspaceProblem: string | undefined,
): string | undefined {
  if (form.kind === 'python-sqlite' || form.kind === 'python-postgres')
    return pythonBlocker(form.kind, form.python)
  if (form.kind !== 'cassandra') return undefined
  if (!form.contactPoints.trim()) return 'Enter at least one contact point to connect.'
  if (!form.localDataCenter.trim()) return 'Enter the local data center to connect.'
  return keyspaceProblem && `Fix the keyspace to connect: ${keyspaceProblem}`
}

/** What is wrong with a keyspace name, in words (undefined: nothing). */
export function keyspaceError(keyspace: string): string | undefined {
  const name = keyspace.trim()
  if (!name) return 'enter a keyspace name.'
  if (!/^[a-zA-Z]/.test(name)) return 'a keyspace name starts with a letter.'
  if (!/^[a-zA-Z0-9_]*$/.test(name))
    return 'a keyspace name holds only letters, digits and _ (no spaces, dashes or dots).'
  if (name.length > 48)
    return `a keyspace name is at most 48 characters (this one has ${name.length}).`
  return undefined
}
