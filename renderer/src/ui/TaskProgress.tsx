import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useApi } from '../service'
import { cancelTask } from '../lib/runTask'
import { isTaskActive, taskFraction, useTaskStore, type Task } from '../stores/taskStore'
import './taskProgress.css'

const numberFormat = new Intl.NumberFormat()
/** Finished tasks stay visible this long, so a fast task is still seen to complete. */
const KEEP_FINISHED_MS = 8000

function statusText(task: Task): string {
  switch (task.status) {
    case 'running':
      return task.total > 0
        ? `${numberFormat.format(task.done)} of ${numberFormat.format(task.total)}`
        : 'Starting…'
    case 'cancelling':
      return 'Cancelling…'
    case 'done':
      return task.message ?? 'Done'
    case 'cancelled':
      return task.message ?? 'Cancelled'
    case 'failed':
      return task.message ?? 'Failed'
  }
}

/**
 * One task's bar and Cancel button, inside the view that started it (a dialog, a toolbar):
 * no title, and no Dismiss, since that view reports the outcome itself.
 */
export function TaskProgressBar({ taskId }: { taskId: string }) {
  const task = useTaskStore((state) => state.tasks.find((candidate) => candidate.taskId === taskId))
  if (!task) return null
  return <TaskRow task={task} inline />
}

function TaskRow({ task, inline = false }: { task: Task; inline?: boolean }) {
  const fraction = taskFraction(task)
  const percent = fraction === undefined ? undefined : Math.round(fraction * 100)
  const active = isTaskActive(task)
  const dismiss = useTaskStore((state) => state.dismiss)
  const api = useApi()
  return (
    <div className={`task-row task-row--${task.status}${inline ? ' task-row--inline' : ''}`}>
      {!inline && <span className="task-row__title">{task.title}</span>}
      <div
        className="task-bar"
        role="progressbar"
        aria-label={task.title}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={task.status === 'done' ? 100 : percent}
        aria-valuetext={`${task.title}: ${statusText(task)}${task.label && active ? ` (${task.label})` : ''}`}
        aria-busy={active}
      >
        <div
          className={`task-bar__fill${percent === undefined && active ? ' task-bar__fill--indeterminate' : ''}`}
          style={{
            width:
              task.status === 'done' ? '100%' : percent === undefined ? undefined : `${percent}%`,
          }}
        />
      </div>
      {/* Inline, the owner reports the outcome: the status line only follows a running task. */}
      <span className="task-row__status" aria-live="polite" hidden={inline && !active}>
        {task.status === 'done' && <span aria-hidden="true">✓ </span>}
        {task.status === 'failed' && <span aria-hidden="true">⚠ </span>}
        {statusText(task)}
        {percent !== undefined && active ? ` (${percent}%)` : ''}
      </span>
      {active ? (
        <button
          type="button"
          className="task-row__button"
          aria-label={`Cancel ${task.title}`}
          disabled={task.status === 'cancelling'}
          onClick={() => void cancelTask(api, task.taskId)}
        >
          Cancel
        </button>
      ) : inline ? null : (
        <button
          type="button"
          className="task-row__button"
          aria-label={`Dismiss ${task.title}`}
          onClick={() => dismiss(task.taskId)}
        >
          Dismiss
        </button>
      )}
    </div>
  )
}

/** Every task started in this window, with progress bars and Cancel buttons. */
export function TaskProgress() {
  const tasks = useTaskStore(useShallow((state) => state.tasks))
  const api = useApi()

  // Progress reaches the task store while the list that shows it is mounted (always, in App).
  useEffect(
    () => api.subscribe('progress', (event) => useTaskStore.getState().progress(event)),
    [api],
  )

  const hasFinishedDone = tasks.some((task) => task.status === 'done')
  useEffect(() => {
    if (!hasFinishedDone) return
    const timer = window.setInterval(() => {
      // Only successful tasks fade away; failures and cancellations wait to be dismissed.
      const cutoff = Date.now() - KEEP_FINISHED_MS
      for (const task of useTaskStore.getState().tasks) {
        if (task.status === 'done' && (task.finishedAt ?? Infinity) < cutoff)
          useTaskStore.getState().dismiss(task.taskId)
      }
    }, 1000)
    return () => window.clearInterval(timer)
  }, [hasFinishedDone])

  return (
    <section className="task-progress" aria-label="Background tasks" hidden={tasks.length === 0}>
      <ul className="task-progress__list">
        {tasks.map((task) => (
          <li key={task.taskId}>
            <TaskRow task={task} />
          </li>
        ))}
      </ul>
    </section>
  )
}
