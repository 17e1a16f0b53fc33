import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { api } from '../../api'
import type { HandleDto } from '../../../../shared/contract'
import { ErrorAlert } from '../../ui/ErrorAlert'
import { concurrencyDetails, describeError, isConcurrencyError } from '../../lib/errorText'
import { describeEvent, readFoo } from '../../lib/eventSummary'
import { ConcurrencyExplanation } from '../../ui/ConcurrencyExplanation'
import '../../ui/feature.css'
import './conflict.css'
import { visible } from '../../ui/VisibleText'

type Side = 'A' | 'B'
const SIDES: readonly Side[] = ['A', 'B']
/** Pause between the automatic demo's steps, so each can be seen. */
const STEP_DELAY_MS = 500

interface SideState {
  handle: HandleDto | null
  input: string
  busy: boolean
  error: unknown
  notice: string | null
}

interface LogLine {
  id: number
  tone: 'info' | 'ok' | 'rejected' | 'failed'
  text: string
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

const initialSide = (side: Side): SideState => ({
  handle: null,
  input: `from ${side}`,
  busy: false,
  error: null,
  notice: null,
})

const toneMarker: Record<LogLine['tone'], string> = {
  info: '•',
  ok: '✓',
  rejected: '✗',
  failed: '⚠',
}

/**
 * Two handles on the same aggregate, loaded at the same version: the first save wins, the
 * second is rejected with ConcurrencyError, and after a refresh the loser can save again.
 */
export function ConflictDemo({ aggregateId }: { aggregateId: string }) {
  const headingId = useId()
  const logHeadingId = useId()
  const [sides, setSides] = useState<Record<Side, SideState>>({
    A: initialSide('A'),
    B: initialSide('B'),
  })
  const [log, setLog] = useState<LogLine[]>([])
  const [auto, setAuto] = useState<{
    status: 'idle' | 'running' | 'done' | 'failed'
    result?: string
  }>({ status: 'idle' })
  const [openError, setOpenError] = useState<unknown>(null)
  const [opening, setOpening] = useState(false)

  // Handles live in the main process: refs know them even after this component is gone.
  const handles = useRef<Record<Side, HandleDto | null>>({ A: null, B: null })
  const alive = useRef(true)
  const logSeq = useRef(0)

  const patch = (side: Side, change: Partial<SideState>) => {
    if (!alive.current) return
    setSides((current) => ({ ...current, [side]: { ...current[side], ...change } }))
  }
  const adopt = (side: Side, handle: HandleDto) => {
    handles.current[side] = handle
    patch(side, { handle })
  }
  const note = (tone: LogLine['tone'], text: string) => {
    if (!alive.current) return
    logSeq.current += 1
    const id = logSeq.current
    setLog((current) => [...current, { id, tone, text }])
  }

  const closeAll = async () => {
    const open = SIDES.map((side) => handles.current[side]).filter(
      (h): h is HandleDto => h !== null,
    )
    handles.current = { A: null, B: null }
    await Promise.all(
      open.map((h) => api.closeHandle({ handleId: h.handleId }).catch(() => undefined)),
    )
  }

  useEffect(() => {
    alive.current = true
    setSides({ A: initialSide('A'), B: initialSide('B') })
    setLog([])
    setAuto({ status: 'idle' })
    setOpenError(null)
    return () => {
      alive.current = false
      void closeAll()
    }
    // closeAll only reads refs, so the aggregate id is the only dependency.
  }, [aggregateId])

  /** Asks the main process how a handle stands now (e.g. stale after the other side saved). */
  const reread = async (side: Side): Promise<void> => {
    const handle = handles.current[side]
    if (!handle) return
    try {
      const now = await api.getHandle({ handleId: handle.handleId })
      if (handles.current[side]?.handleId === now.handleId) adopt(side, now)
    } catch {
      // Closed or expired: the side's next action reports it.
    }
  }

  // ------------------------------------------------------------------ the steps

  const openBoth = async (): Promise<Outcome<[HandleDto, HandleDto]>> => {
    setOpening(true)
    setOpenError(null)
    await closeAll()
    setSides({ A: { ...initialSide('A') }, B: { ...initialSide('B') } })
    try {
      const [a, b] = await Promise.all([
        api.openHandle({ id: aggregateId }),
        api.openHandle({ id: aggregateId }),
      ])
      if (!alive.current) {
        await Promise.all(
          [a, b].map((h) => api.closeHandle({ handleId: h.handleId }).catch(() => undefined)),
        )
        return { ok: false, error: new Error('left the demo') }
      }
      adopt('A', a)
      adopt('B', b)
      note('info', `Opened Handle A and Handle B, both loaded at version ${a.loadedVersion}.`)
      return { ok: true, value: [a, b] }
    } catch (error) {
      if (alive.current) setOpenError(error)
      note('failed', `Could not open the handles: ${describeError(error).message}`)
      return { ok: false, error }
    } finally {
      if (alive.current) setOpening(false)
    }
  }

  const setFoo = async (side: Side, value: string): Promise<Outcome<HandleDto>> => {
    const handle = handles.current[side]
    if (!handle) return { ok: false, error: new Error(`Handle ${side} is not open`) }
    patch(side, { busy: true, error: null, notice: null })
    try {
      const next = await api.applyCommand({
        handleId: handle.handleId,
        command: { type: 'setFoo', value },
      })
      adopt(side, next)
      note('info', `Handle ${side} set foo = ${JSON.stringify(value)} (pending, not saved yet).`)
      return { ok: true, value: next }
    } catch (error) {
      patch(side, { error })
      note('failed', `Handle ${side} could not set foo: ${describeError(error).message}`)
      return { ok: false, error }
    } finally {
      patch(side, { busy: false })
    }
  }

  const save = async (side: Side): Promise<Outcome<HandleDto>> => {
    const handle = handles.current[side]
    if (!handle) return { ok: false, error: new Error(`Handle ${side} is not open`) }
    patch(side, { busy: true, error: null, notice: null })
    try {
      const next = await api.saveHandle({ handleId: handle.handleId })
      adopt(side, next)
      patch(side, { notice: `Saved: the store now holds version ${next.loadedVersion}.` })
      note('ok', `Handle ${side} saved: version ${next.loadedVersion} stored.`)
      // The other handle is stale now, and the main process knows it.
      await reread(side === 'A' ? 'B' : 'A')
      return { ok: true, value: next }
    } catch (error) {
      // A refused save leaves this handle stale (its batch still pending): show it as it is.
      if (isConcurrencyError(error)) await reread(side)
      patch(side, { error })
      const details = concurrencyDetails(error)
      if (details) {
        note(
          'rejected',
          `Handle ${side}'s save was rejected with ConcurrencyError: it expected to write version ${details.expectedVersion}, but the store already holds version ${details.actualVersion}.`,
        )
      } else if (isConcurrencyError(error)) {
        note('rejected', `Handle ${side}'s save was rejected with ConcurrencyError.`)
      } else {
        note('failed', `Handle ${side} could not save: ${describeError(error).message}`)
      }
      return { ok: false, error }
    } finally {
      patch(side, { busy: false })
    }
  }

  const refresh = async (side: Side): Promise<Outcome<HandleDto>> => {
    const handle = handles.current[side]
    if (!handle) return { ok: false, error: new Error(`Handle ${side} is not open`) }
    const dropped = handle.pending.length
    patch(side, { busy: true, error: null, notice: null })
    try {
      const next = await api.refreshHandle({ handleId: handle.handleId })
      adopt(side, next)
      patch(side, { notice: `Refreshed: loaded at version ${next.loadedVersion}.` })
      note(
        'info',
        `Handle ${side} refreshed: loaded at version ${next.loadedVersion}${dropped > 0 ? `, ${dropped} pending ${dropped === 1 ? 'event' : 'events'} dropped` : ''}.`,
      )
      return { ok: true, value: next }
    } catch (error) {
      patch(side, { error })
      note('failed', `Handle ${side} could not refresh: ${describeError(error).message}`)
      return { ok: false, error }
    } finally {
      patch(side, { busy: false })
    }
  }

  // ------------------------------------------------------------------ the automatic demo

  const pause = () => new Promise((resolve) => window.setTimeout(resolve, STEP_DELAY_MS))

  const runAutomatic = async () => {
    setLog([])
    setAuto({ status: 'running' })
    const fail = (why: string) => {
      if (alive.current) setAuto({ status: 'failed', result: `The demo stopped: ${why}` })
    }
    const opened = await openBoth()
    if (!opened.ok) return fail(describeError(opened.error).message)
    const start = opened.value[0].loadedVersion
    // Types into the handle's field first, so the panel shows what each step does.
    const type = (side: Side, value: string) => {
      patch(side, { input: value })
      return setFoo(side, value)
    }
    const steps: Array<() => Promise<Outcome<HandleDto>>> = [
      () => type('A', 'A wins'),
      () => type('B', 'B (stale)'),
      () => save('A'),
    ]
    for (const step of steps) {
      await pause()
      if (!alive.current) return
      const outcome = await step()
      if (!outcome.ok) return fail(describeError(outcome.error).message)
    }
    await pause()
    if (!alive.current) return
    const rejected = await save('B')
    if (rejected.ok)
      return fail('Handle B saved although Handle A had saved first; expected a ConcurrencyError.')
    if (!isConcurrencyError(rejected.error)) return fail(describeError(rejected.error).message)
    if (handles.current.B?.stale !== true)
      return fail('Handle B was refused, but the main process does not report it as stale.')
    for (const step of [() => refresh('B'), () => type('B', 'B retried')]) {
      await pause()
      if (!alive.current) return
      const outcome = await step()
      if (!outcome.ok) return fail(describeError(outcome.error).message)
    }
    await pause()
    if (!alive.current) return
    const retried = await save('B')
    if (!retried.ok) return fail(describeError(retried.error).message)
    setAuto({
      status: 'done',
      result: `Both handles were loaded at version ${start}. Handle A saved first (version ${start + 1}); Handle B's stale save was rejected with ConcurrencyError and nothing of it was stored; after a refresh, B's retry was stored as version ${retried.value.loadedVersion}.`,
    })
  }

  // ------------------------------------------------------------------ view

  const running = auto.status === 'running'
  const anyOpen = sides.A.handle !== null || sides.B.handle !== null

  return (
    <section className="conflict-demo feature-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Conflict demo
      </h3>
      <p className="muted conflict-demo__intro">
        Two handles load this aggregate at the same version. Change and save A, then B: B&apos;s
        save is rejected with a ConcurrencyError because the version it wanted to write already
        exists. Refresh B and its retry succeeds.
      </p>
      <div className="feature-actions">
        <button type="button" onClick={() => void openBoth()} disabled={running || opening}>
          {anyOpen ? 'Reopen both handles' : 'Open both handles'}
        </button>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => void runAutomatic()}
          disabled={running || opening}
        >
          {running ? 'Running the automatic demo…' : 'Run automatic demo'}
        </button>
      </div>
      {openError !== null && <ErrorAlert error={openError} context="Could not open the handles" />}

      <div className="conflict-demo__sides">
        {SIDES.map((side) => (
          <HandleCard
            key={side}
            side={side}
            state={sides[side]}
            disabled={running}
            onInput={(input) => patch(side, { input })}
            onSetFoo={() => void setFoo(side, sides[side].input)}
            onSave={() => void save(side)}
            onRefresh={() => void refresh(side)}
          />
        ))}
      </div>

      <div className="conflict-demo__log" role="region" aria-labelledby={logHeadingId}>
        <h4 id={logHeadingId} className="feature-subheading">
          Step log
        </h4>
        {log.length === 0 ? (
          <p className="muted">Steps appear here as you go, or run the automatic demo.</p>
        ) : (
          <ol className="conflict-log" aria-label="Step log">
            {log.map((line) => (
              <li key={line.id} className={`conflict-log__line conflict-log__line--${line.tone}`}>
                <span aria-hidden="true" className="conflict-log__marker">
                  {toneMarker[line.tone]}
                </span>{' '}
                {visible(line.text)}
              </li>
            ))}
          </ol>
        )}
        <div aria-live="polite" className="conflict-demo__result">
          {auto.status === 'done' && (
            <p role="status" className="feature-alert feature-alert--success">
              <span aria-hidden="true">✓ </span>
              <strong>Result:</strong> {auto.result}
            </p>
          )}
          {auto.status === 'failed' && (
            <p role="alert" className="feature-alert feature-alert--error">
              <span aria-hidden="true">⚠ </span>
              {auto.result}
            </p>
          )}
        </div>
      </div>
    </section>
  )
}

function HandleCard({
  side,
  state,
  disabled,
  onInput,
  onSetFoo,
  onSave,
  onRefresh,
}: {
  side: Side
  state: SideState
  disabled: boolean
  onInput: (value: string) => void
  onSetFoo: () => void
  onSave: () => void
  onRefresh: () => void
}) {
  const headingId = useId()
  const inputId = useId()
  const { handle } = state
  const off = disabled || state.busy || handle === null
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (!off) onSetFoo()
  }
  return (
    <section className={`handle-card handle-card--${side}`} aria-labelledby={headingId}>
      <h4 id={headingId} className="handle-card__title">
        Handle {side}
      </h4>
      {handle ? (
        <dl className="handle-card__facts">
          <div>
            <dt className="visually-hidden">Loaded</dt>
            <dd>Loaded at version {handle.loadedVersion}</dd>
          </div>
          {handle.stale && (
            <div className="handle-card__stale">
              <dt className="visually-hidden">Stale</dt>
              <dd>
                <span aria-hidden="true">⚠ </span>
                Stale: the store holds version {handle.storedVersion}
              </dd>
            </div>
          )}
          <div>
            <dt>foo</dt>
            <dd>
              <code>{visible(readFoo(handle.state) ?? '(none)')}</code>
            </dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd>
              {handle.pending.length === 0
                ? 'nothing'
                : visible(
                    handle.pending
                      .map((event) => `v${event.version} ${describeEvent(event)}`)
                      .join('; '),
                  )}
            </dd>
          </div>
        </dl>
      ) : (
        <p className="muted handle-card__closed">Not open. Use “Open both handles”.</p>
      )}
      <form className="handle-card__form" onSubmit={submit}>
        <div className="field">
          <label htmlFor={inputId}>
            New foo<span className="visually-hidden"> for Handle {side}</span>
          </label>
          <input
            id={inputId}
            type="text"
            value={state.input}
            maxLength={10_000}
            autoComplete="off"
            disabled={disabled || handle === null}
            onChange={(event) => onInput(event.target.value)}
          />
        </div>
        <div className="feature-actions">
          <button type="submit" disabled={off}>
            Set foo on {side}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={off || handle.pending.length === 0}
            onClick={onSave}
          >
            Save {side}
          </button>
          <button type="button" disabled={off} onClick={onRefresh}>
            Refresh {side}
          </button>
        </div>
      </form>
      <div className="handle-card__messages">
        {state.error !== null &&
          (isConcurrencyError(state.error) ? (
            <ConcurrencyExplanation
              error={state.error}
              title={`Handle ${side}'s save was rejected`}
              who={`Handle ${side}`}
              fix={`Refresh ${side} to reload the latest version (its pending events are dropped), then set foo and save again.`}
            />
          ) : (
            <ErrorAlert error={state.error} context={`Handle ${side}`} />
          ))}
        {state.notice && state.error === null && (
          <p className="feature-alert feature-alert--success" role="status">
            <span aria-hidden="true">✓ </span>
            {state.notice}
          </p>
        )}
      </div>
    </section>
  )
}
