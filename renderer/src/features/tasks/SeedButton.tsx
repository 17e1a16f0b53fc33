import { useId, useState, type FormEvent } from 'react'
import { useApi } from '../../service'
import { useAction } from '../../ui/useAction'
import type { AggregateTypeDescriptor, ResponseOf } from '../../../../shared/contract'
import { MAX_SEED_COUNT, MAX_SEED_EVENTS } from '../../../../shared/contractBasics'
import { ErrorAlert } from '../../ui/errors'
import { ModalDialog } from '../../ui/ModalDialog'
import { useReveal } from '../../lib/useReveal'
import { runTask } from '../../lib/runTask'
import { TaskProgressBar } from '../../ui/TaskProgress'
import { isTaskActive, useTaskStore } from '../../stores/taskStore'
import './tasks.css'
import { WholeNumberField } from '../../ui/WholeNumberField'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { useAggregateTypes } from '../../queries/aggregates'

const MAX = MAX_SEED_COUNT
const numberFormat = new Intl.NumberFormat()

function parseCount(text: string): number | undefined {
  if (!/^\d+$/.test(text.trim())) return undefined
  const value = Number(text)
  return value >= 1 && value <= MAX ? value : undefined
}

type SeedResult = ResponseOf<'seedDemoData'>

/** "Seed demo data": asks how much, then runs seedDemoData as a task with a progress bar. */
export function SeedButton() {
  const [open, setOpen] = useState(false)
  const [aggregatesText, setAggregatesText] = useState('20')
  const [eventsText, setEventsText] = useState('10')
  const [taskId, setTaskId] = useState<string | undefined>(undefined)
  const [result, setResult] = useState<SeedResult | undefined>(undefined)
  const api = useApi()
  const action = useAction(
    (title: string, request: { aggregates: number; events: number; type?: string }) =>
      runTask(
        title,
        (id) => api.seedDemoData({ ...request, taskId: id }),
        (value) => ({
          status: value.cancelled ? 'cancelled' : 'done',
          message: `${value.cancelled ? 'Cancelled after seeding' : 'Seeded'} ${numberFormat.format(value.aggregates)} aggregates with ${numberFormat.format(value.events)} events`,
        }),
        { prefix: 'seed', onStart: setTaskId },
      ),
  )
  const running = useTaskStore((state) =>
    isTaskActive(state.tasks.find((task) => task.taskId === taskId)),
  )
  const hintId = useId()
  const blocked = useWriteBlock()
  const { types, typesLoaded } = useAggregateTypes()
  const seedable = types.filter((t) => t.canSeed)
  const [topic, setTopic] = useState('')
  const type = seedable.find((t) => t.topic === topic) ?? seedable[0]

  const aggregates = parseCount(aggregatesText)
  const events = parseCount(eventsText)
  const total = aggregates !== undefined && events !== undefined ? aggregates * events : undefined
  const tooMany = total !== undefined && total > MAX_SEED_EVENTS
  // No type says canSeed (a server that does not tell yet): the server seeds its default type.
  const valid =
    aggregates !== undefined &&
    events !== undefined &&
    !tooMany &&
    (type !== undefined || (typesLoaded && seedable.length === 0))

  const seed = async (event: FormEvent) => {
    event.preventDefault()
    if (!valid || running) return
    setResult(undefined)
    const title = `Seed ${numberFormat.format(aggregates)}${type ? ` ${type.displayName}` : ''} aggregates × ${numberFormat.format(events)} events`
    const outcome = await action.run(title, {
      aggregates,
      events,
      ...(type ? { type: type.topic } : {}),
    })
    if (outcome.ok) setResult(outcome.value)
  }

  // The result appears under the form: bring it into view if the dialog is scrolled.
  const failure = action.error
  const outcomeRef = useReveal<HTMLDivElement>(result ?? failure)

  return (
    <>
      <button
        type="button"
        className="seed-button"
        onClick={() => setOpen(true)}
        disabled={blocked !== null}
        aria-describedby={blocked === null ? undefined : WRITE_BLOCK_NOTICE_ID}
      >
        Seed demo data
      </button>
      <ModalDialog open={open} title="Seed demo data" onClose={() => setOpen(false)}>
        <form className="seed-form" onSubmit={(event) => void seed(event)} noValidate>
          <p className="muted">
            Creates aggregates of the chosen type, each with a number of events from its demo
            commands, in the connected store.
          </p>
          <SeedTypeChoice
            types={seedable}
            typesLoaded={typesLoaded}
            value={type?.topic ?? ''}
            disabled={running}
            onChange={setTopic}
          />
          <WholeNumberField
            label="Aggregates"
            min={1}
            max={MAX}
            required
            value={aggregatesText}
            disabled={running}
            invalid={aggregates === undefined}
            describedBy={hintId}
            onChange={setAggregatesText}
          />
          <WholeNumberField
            label="Events per aggregate"
            min={1}
            max={MAX}
            required
            value={eventsText}
            disabled={running}
            invalid={events === undefined}
            describedBy={hintId}
            onChange={setEventsText}
          />
          <p id={hintId} className={valid ? 'muted' : 'feature-warning'}>
            {total === undefined
              ? `Enter whole numbers from 1 to ${numberFormat.format(MAX)}.`
              : `${numberFormat.format(total)} events in total${tooMany ? ': too many' : ''}.`}{' '}
            At most {numberFormat.format(MAX_SEED_EVENTS)} events per seed, one seed at a time.
          </p>
          <div className="seed-form__progress">{taskId && <TaskProgressBar taskId={taskId} />}</div>
          {(result !== undefined || failure !== undefined) && (
            <div ref={outcomeRef}>
              {result && (
                <p
                  role="status"
                  className={`feature-alert ${result.cancelled ? 'feature-alert--warning' : 'feature-alert--success'}`}
                >
                  <span aria-hidden="true">{result.cancelled ? '■ ' : '✓ '}</span>
                  {result.cancelled ? 'Cancelled after seeding' : 'Seeded'}{' '}
                  {numberFormat.format(result.aggregates)} aggregates with{' '}
                  {numberFormat.format(result.events)} events.
                </p>
              )}
              {failure !== undefined && <ErrorAlert error={failure} context="Seeding failed" />}
            </div>
          )}
          <div className="feature-actions">
            <button type="submit" className="btn btn-primary" disabled={!valid || running}>
              {running ? 'Seeding…' : 'Seed'}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {running ? 'Hide (keeps running)' : 'Close'}
            </button>
          </div>
        </form>
      </ModalDialog>
    </>
  )
}

/** The canSeed types to choose from; none: the server seeds its default type. */
function SeedTypeChoice({
  types,
  typesLoaded,
  value,
  disabled,
  onChange,
}: {
  types: readonly AggregateTypeDescriptor[]
  typesLoaded: boolean
  value: string
  disabled: boolean
  onChange: (topic: string) => void
}) {
  const id = useId()
  if (types.length === 0)
    return (
      <p className="muted">
        {typesLoaded
          ? 'No registered type offers demo data: the server seeds its default type.'
          : 'Loading the aggregate types…'}
      </p>
    )
  return (
    <div className="field">
      <label htmlFor={id}>Aggregate type</label>
      <select
        id={id}
        className="select"
        value={value}
        disabled={disabled}
        onChange={(event) => onChange(event.target.value)}
      >
        {types.map((t) => (
          <option key={t.topic} value={t.topic}>
            {t.displayName}
          </option>
        ))}
      </select>
    </div>
  )
}
