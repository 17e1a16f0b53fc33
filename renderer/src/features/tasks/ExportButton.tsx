import { revealInvisible } from '../../ui/VisibleText'
import { useId, useState } from 'react'
import { useApi } from '../../service'
import { useAction } from '../../ui/useAction'
import { ErrorAlert } from '../../ui/errors'
import { describeError } from '../../ui/errors'
import { exportHistory as readHistory } from './exportHistory'
import { runTask } from '../../lib/runTask'
import { TaskProgressBar } from '../../ui/TaskProgress'
import { isTaskActive, useTaskStore } from '../../stores/taskStore'
import './tasks.css'

/** Saves `data` as a JSON file through a temporary link. */
export function downloadJson(fileName: string, data: unknown): void {
  downloadBlob(fileName, new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }))
}

/** Saves a Blob as a file through a temporary link: works in Electron and in a browser tab. */
export function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  link.style.display = 'none'
  document.body.append(link)
  link.click()
  link.remove()
  // Give the browser time to start reading the blob before it is released.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

const PLAINTEXT_NOTE =
  'The store is encrypted; the exported file holds the events decrypted, in plaintext.'

/**
 * "Export history": every event of the aggregate as `<id>.history.json`, read a page at a time
 * with progress in the task store; Cancel stops it between pages (and the page in flight).
 */
export function ExportButton({
  aggregateId,
  encrypted = false,
}: {
  aggregateId: string
  /** The store encrypts events: the export holds them decrypted, and says so before and after. */
  encrypted?: boolean
}) {
  const [taskId, setTaskId] = useState<string | undefined>(undefined)
  const [done, setDone] = useState<{ events: number; fileName: string } | undefined>(undefined)
  const api = useApi()
  const running = useTaskStore((state) =>
    isTaskActive(state.tasks.find((task) => task.taskId === taskId)),
  )
  const shortId = revealInvisible(Array.from(aggregateId).slice(0, 8).join(''))
  const statusId = useId()
  const noteId = useId()
  const plaintext = encrypted ? ', decrypted: the file holds them in plaintext' : ''

  const action = useAction(() => {
    const label = `Exporting ${shortId}…`
    return runTask(
      `Export history of ${shortId}`,
      (id) =>
        readHistory(api, aggregateId, {
          taskId: id,
          // The task's Cancel button marks it; the page in flight is cancelled in the main process.
          isCancelled: () =>
            useTaskStore.getState().tasks.find((task) => task.taskId === id)?.status ===
            'cancelling',
          onProgress: ({ done, total }) =>
            useTaskStore.getState().progress({ taskId: id, done, total, label }),
        }),
      (value) => ({
        status: 'done',
        message: `Exported ${value.events} events${plaintext}`,
      }),
      { prefix: 'export', onStart: setTaskId },
    )
  })
  const { run, clearError } = action
  const exportHistory = async () => {
    setDone(undefined)
    const fileName = `${exportFileStem(aggregateId)}.history.json`
    const outcome = await run()
    if (outcome.ok) {
      downloadBlob(fileName, outcome.value.blob)
      setDone({ events: outcome.value.events, fileName })
    }
    // A cancelled export is reported by the task list; it is not a failure to explain here.
    else if (describeError(outcome.error).code === 'Cancelled') clearError()
  }

  return (
    <div className="export-button">
      <button
        type="button"
        onClick={() => void exportHistory()}
        disabled={running}
        aria-describedby={encrypted ? `${noteId} ${statusId}` : statusId}
        title={encrypted ? PLAINTEXT_NOTE : undefined}
      >
        {running ? 'Exporting…' : 'Export history'}
      </button>
      {encrypted && (
        <span className="visually-hidden" id={noteId}>
          {PLAINTEXT_NOTE}
        </span>
      )}
      <div className="export-button__status" id={statusId} aria-live="polite">
        {running && taskId && <TaskProgressBar taskId={taskId} />}
        {!running && done && (
          // The floating task list shows the outcome; this tells screen readers.
          <span className="visually-hidden" role="status">
            Exported {done.events} {done.events === 1 ? 'event' : 'events'} to {done.fileName}
            {plaintext}
          </span>
        )}
      </div>
      {action.error !== undefined && (
        <ErrorAlert error={action.error} context="Export failed" onDismiss={clearError} />
      )}
    </div>
  )
}

/**
 * A file name from an aggregate id: a UUID as it is; a Python store's text id with what a file
 * name cannot hold (separators, control and invisible characters, reserved punctuation) as `_`,
 * at most 100 characters.
 */
export function exportFileStem(aggregateId: string): string {
  const safe = Array.from(revealInvisible(aggregateId))
    .map((c) => (/[\p{Cc}\p{Cf}/\\:*?"<>|]/u.test(c) ? '_' : c))
    .join('')
    .replace(/^\.+/, '_')
  return Array.from(safe).slice(0, 100).join('')
}
