import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { api } from '../../api'
import type { Command, HandleDto } from '../../../../shared/contract'
import { useSelectionStore } from '../../stores/selectionStore'
import { useLiveChanges } from '../../lib/useLiveChanges'
import { ConcurrencyExplanation } from '../../ui/ConcurrencyExplanation'
import { ErrorAlert } from '../../ui/ErrorAlert'
import { describeError, isConcurrencyError } from '../../lib/errorText'
import { describeEvent, readFoo } from '../../lib/eventSummary'
import '../../ui/feature.css'
import './commands.css'
import { visible } from '../../ui/VisibleText'

type Phase = 'opening' | 'ready' | 'busy' | 'gone'

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`

/** The service drops handles on reconnect and beyond its limit; such a handle is reopened. */
const isExpiredHandle = (error: unknown) => {
  const described = describeError(error)
  return (
    described.code === 'ValidationError' && /handle .* (closed|expired)/.test(described.message)
  )
}

/**
 * Stages commands on a handle (an aggregate loaded in the main process) and saves them as one
 * batch, or drops them. The handle is opened for the aggregate and closed when leaving it.
 */
export function CommandsPanel({ aggregateId }: { aggregateId: string }) {
  const headingId = useId()
  const fooId = useId()
  const [handle, setHandle] = useState<HandleDto | null>(null)
  const [phase, setPhase] = useState<Phase>('opening')
  const [error, setError] = useState<{ context: string; error: unknown } | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [foo, setFoo] = useState('')
  const handleRef = useRef<HandleDto | null>(null)
  const busyRef = useRef(false)

  const adopt = useCallback((next: HandleDto) => {
    handleRef.current = next
    setHandle(next)
  }, [])

  useEffect(() => {
    let active = true
    setPhase('opening')
    setHandle(null)
    setError(null)
    setNotice(null)
    handleRef.current = null
    api.openHandle({ id: aggregateId }).then(
      (opened) => {
        // Left before it opened (or React re-ran the effect): release it at once.
        if (!active) return void api.closeHandle({ handleId: opened.handleId }).catch(() => {})
        adopt(opened)
        setFoo(readFoo(opened.state) ?? '')
        setPhase(opened.discarded ? 'gone' : 'ready')
      },
      (failure: unknown) => {
        if (!active) return
        if (describeError(failure).code === 'AggregateNotFound') setPhase('gone')
        else {
          setPhase('ready')
          setError({ context: 'Could not load the aggregate for editing', error: failure })
        }
      },
    )
    return () => {
      active = false
      const current = handleRef.current
      handleRef.current = null
      if (current) void api.closeHandle({ handleId: current.handleId }).catch(() => {})
    }
  }, [aggregateId, adopt])

  /** Runs one handle call with the buttons disabled; returns the new handle or undefined. */
  const run = async (
    context: string,
    call: (h: HandleDto) => Promise<HandleDto>,
  ): Promise<HandleDto | undefined> => {
    const current = handleRef.current
    if (!current || busyRef.current) return undefined
    busyRef.current = true
    setPhase('busy')
    setError(null)
    setNotice(null)
    try {
      const next = await call(current)
      adopt(next)
      setPhase(next.discarded && next.pending.length === 0 ? 'gone' : 'ready')
      return next
    } catch (failure) {
      if (isExpiredHandle(failure)) {
        try {
          const reopened = await api.openHandle({ id: aggregateId })
          adopt(reopened)
          setFoo(readFoo(reopened.state) ?? '')
          setPhase(reopened.discarded ? 'gone' : 'ready')
          setNotice(
            `The editing session had expired (staged events are lost); reloaded version ${reopened.loadedVersion}. Please try again.`,
          )
          return undefined
        } catch (reopenFailure) {
          failure = reopenFailure
        }
      }
      // A refused save leaves the handle stale in the main process: show it as it is now.
      if (isConcurrencyError(failure)) {
        const now = await api.getHandle({ handleId: current.handleId }).catch(() => undefined)
        if (now && handleRef.current?.handleId === now.handleId) adopt(now)
      }
      setError({ context, error: failure })
      setPhase(describeError(failure).code === 'AggregateNotFound' ? 'gone' : 'ready')
      return undefined
    } finally {
      busyRef.current = false
    }
  }

  const apply = (command: Command, context: string) =>
    run(context, (h) => api.applyCommand({ handleId: h.handleId, command }))

  const save = async () => {
    const before = handleRef.current
    if (!before || before.pending.length === 0) return
    const count = before.pending.length
    const first = before.pending[0]?.version
    const saved = await run('Could not save the batch', (h) =>
      api.saveHandle({ handleId: h.handleId }),
    )
    if (!saved) return
    setNotice(
      count === 1
        ? `Saved 1 event: version ${saved.loadedVersion}.`
        : `Saved ${count} events together as one batch: versions ${first ?? saved.loadedVersion - count + 1}–${saved.loadedVersion}.`,
    )
    // Show the result: follow the latest version (the live `changes` reload the views).
    useSelectionStore.getState().setVersion(null)
  }

  const drop = async () => {
    const count = handleRef.current?.pending.length ?? 0
    const refreshed = await run('Could not drop the pending events', (h) =>
      api.refreshHandle({ handleId: h.handleId }),
    )
    if (!refreshed) return
    setFoo(readFoo(refreshed.state) ?? '')
    setNotice(
      `Dropped ${plural(count, 'pending event', 'pending events')}; reloaded version ${refreshed.loadedVersion}.`,
    )
  }

  // Someone else stored a batch: an idle handle follows it; one with pending events asks the
  // main process how it stands now (stale: its save will be refused) and is warned.
  useLiveChanges(
    aggregateId,
    (entries) => {
      const current = handleRef.current
      if (!current || busyRef.current) return
      const newest = Math.max(...entries.map((entry) => entry.toVersion))
      if (newest <= current.loadedVersion) return
      if (current.pending.length > 0) {
        // Read-only, and answered in order with the handle's other calls: no need to block them.
        api.getHandle({ handleId: current.handleId }).then(
          (next) => {
            if (handleRef.current?.handleId === next.handleId) adopt(next)
          },
          // Expired or gone: the next action reports it (and reopens an expired handle).
          () => undefined,
        )
        return
      }
      busyRef.current = true
      api.refreshHandle({ handleId: current.handleId }).then(
        (next) => {
          busyRef.current = false
          if (handleRef.current?.handleId !== next.handleId) return
          adopt(next)
          if (next.discarded) setPhase('gone')
        },
        (failure: unknown) => {
          busyRef.current = false
          if (describeError(failure).code === 'AggregateNotFound') setPhase('gone')
        },
      )
    },
    300,
  )

  const setFooSubmit = (event: FormEvent) => {
    event.preventDefault()
    void apply({ type: 'setFoo', value: foo }, 'Could not set foo')
  }

  const pending = handle?.pending ?? []
  const busy = phase === 'busy' || phase === 'opening'
  const editable = handle !== null && !handle.discarded && phase !== 'gone'
  const failedWithConflict = error !== null && isConcurrencyError(error.error)
  // The main process knows a newer version is stored: saving these events would be refused.
  const staleWithPending = handle !== null && handle.stale && pending.length > 0

  return (
    <section className="commands-panel feature-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Commands
      </h3>
      <p className="commands-status" aria-live="polite">
        {phase === 'opening' && 'Loading the aggregate for editing…'}
        {phase === 'gone' && (
          <span>
            <span aria-hidden="true">⊘ </span>
            This aggregate has been discarded. Its history stays readable, but it can no longer be
            changed.
          </span>
        )}
        {handle && phase !== 'gone' && (
          <>
            Stored version: <strong>{handle.loadedVersion}</strong>
            {pending.length > 0 && (
              <>
                {' '}
                · with pending events: <strong>{handle.version}</strong>
              </>
            )}
            {' · '}foo: <code>{visible(readFoo(handle.state) ?? '(none)')}</code>
          </>
        )}
      </p>

      <form className="commands-form" onSubmit={setFooSubmit}>
        <div className="field commands-form__foo">
          <label htmlFor={fooId}>foo</label>
          <input
            id={fooId}
            type="text"
            value={foo}
            maxLength={10_000}
            autoComplete="off"
            disabled={!editable}
            onChange={(event) => setFoo(event.target.value)}
          />
        </div>
        <div className="feature-actions">
          <button type="submit" disabled={!editable || busy}>
            Set foo
          </button>
          <button
            type="button"
            disabled={!editable || busy}
            onClick={() => void apply({ type: 'createExample' }, 'Could not add an example')}
          >
            Add example
          </button>
          <button
            type="button"
            className="btn feature-danger-button"
            disabled={!editable || busy}
            aria-describedby={`${headingId}-discard-hint`}
            onClick={() => void apply({ type: 'discard' }, 'Could not discard')}
          >
            Discard
          </button>
        </div>
        <p id={`${headingId}-discard-hint`} className="muted commands-form__hint">
          Changes are staged on a handle. Discard stages a Discarded event: after Save the aggregate
          is gone.
        </p>
      </form>

      <div
        className="section-card commands-pending"
        role="region"
        aria-labelledby={`${headingId}-pending`}
      >
        <h4 id={`${headingId}-pending`} className="feature-subheading">
          Pending batch ({plural(pending.length, 'event', 'events')})
        </h4>
        {pending.length === 0 ? (
          <p className="muted commands-pending__empty">
            Nothing staged. Set foo, add an example or discard: the events wait here and are saved
            together, all or nothing.
          </p>
        ) : (
          <ol className="commands-pending__list" aria-label="Pending events">
            {pending.map((event) => (
              <li key={event.version}>
                <span className="commands-pending__version">v{event.version}</span>
                <span className="commands-pending__type">{visible(event.type)}</span>
                <span className="commands-pending__what">{visible(describeEvent(event))}</span>
              </li>
            ))}
          </ol>
        )}
        <div className="feature-actions">
          <button
            type="button"
            className="btn btn-primary"
            disabled={pending.length === 0 || busy}
            onClick={() => void save()}
          >
            Save
          </button>
          <button type="button" disabled={pending.length === 0 || busy} onClick={() => void drop()}>
            Drop
          </button>
        </div>
      </div>

      <div className="commands-messages">
        {staleWithPending && !error && (
          <p className="feature-alert feature-alert--warning" role="status">
            <span aria-hidden="true">⚠ </span>
            Someone else saved version {handle.storedVersion} while these events were pending:
            saving will be rejected. Drop to reload the latest version, then stage your changes
            again.
          </p>
        )}
        {notice && (
          <p className="feature-alert feature-alert--success" role="status">
            <span aria-hidden="true">✓ </span>
            {notice}
          </p>
        )}
        {error &&
          (failedWithConflict ? (
            <ConcurrencyExplanation
              error={error.error}
              title="The save was rejected"
              who="This batch"
              fix="Drop to reload the latest version, then stage your changes again."
            />
          ) : (
            <ErrorAlert
              error={error.error}
              context={error.context}
              onDismiss={() => setError(null)}
            />
          ))}
      </div>
    </section>
  )
}
