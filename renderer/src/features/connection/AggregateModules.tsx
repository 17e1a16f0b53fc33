/**
 * The connection screen's "Aggregate type modules": the modules of aggregate types this run
 * loaded (EVENTSCOPE_MODULES, or picked here), the types each registered, and why one failed.
 * "Load module…" is in the desktop app only: the main process shows the system dialog and
 * allows the chosen file; browser mode loads only the modules the server was started with.
 */
import { useId, useState } from 'react'
import type { AggregateModuleInfo, ConnectionInfo } from '../../../../shared/contract'
import { useApi } from '../../service'
import { toUiError } from '../../ui/errors'
import { useQueryClient } from '@tanstack/react-query'
import { keys } from '../../queries/keys'
import { useAction } from '../../ui/useAction'
import './connection.css'

export function AggregateModules({ info }: { info: ConnectionInfo }) {
  const [loaded, setLoaded] = useState<AggregateModuleInfo | null>(null)
  const ids = useId()
  const desktop = window.eventscopeDesktop
  const modules = info.modules ?? []

  const client = useQueryClient()
  const api = useApi()
  // Busy from the system dialog on; a cancelled dialog loads nothing (null).
  const action = useAction(async () => {
    const path = await desktop?.pickAggregateModule()
    if (!path) return null
    const result = await api.loadAggregateModule({ path })
    // Its types join the type filter and the commands at once, and views replay with it.
    void client.invalidateQueries({ queryKey: keys.aggregateTypes() })
    void client.invalidateQueries({ queryKey: keys.aggregate() })
    return result
  })
  const busy = action.busy
  const error = action.error === undefined ? null : toUiError(action.error).message

  const load = async () => {
    if (!desktop || busy) return
    setLoaded(null)
    const outcome = await action.run()
    if (outcome.ok && outcome.value) setLoaded(outcome.value)
  }

  return (
    <section className="aggregate-modules" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Aggregate type modules</h2>
      {modules.length === 0 ? (
        <p className="muted">
          Built-in types only. Add your own with EVENTSCOPE_MODULES=path/to/module.mjs
          {desktop ? ', or load a module here.' : ' when starting the server.'}
        </p>
      ) : (
        <ul aria-label="Loaded modules" className="aggregate-module-list">
          {modules.map((m) => (
            <li key={m.path}>
              <code className="break-all">{m.path}</code>
              {m.error && (
                <p className="field-hint">
                  <span className="badge badge-warn">Failed</span> {m.error}
                </p>
              )}
              {/* What it registered before failing is registered all the same: listed too. */}
              {(!m.error || m.types.length > 0) && (
                <p className="muted">
                  {m.types.length === 0
                    ? 'Registered no types.'
                    : `${m.error ? 'Registered before it failed' : 'Types'}: ${m.types.join(', ')}`}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
      {desktop && (
        <button type="button" className="btn" onClick={() => void load()} disabled={busy}>
          {busy ? 'Loading module…' : 'Load module…'}
        </button>
      )}
      {error && (
        <p role="alert" className="field-hint">
          The module was not loaded: {error}
        </p>
      )}
      {loaded?.error && (
        <p role="alert" className="field-hint">
          The module failed: {loaded.error}
          {loaded.types.length > 0 && ` (registered before it failed: ${loaded.types.join(', ')})`}
        </p>
      )}
      {loaded && !loaded.error && (
        <p role="status" className="muted">
          Loaded {loaded.types.length} type{loaded.types.length === 1 ? '' : 's'} from {loaded.path}
          .
        </p>
      )}
    </section>
  )
}
