import { useId, useState } from 'react'
import { api } from '../../api'
import { ErrorAlert } from '../commands/ErrorAlert'
import { runTask } from './runTask'
import { TaskProgressBar } from './TaskProgress'
import { isTaskActive, useTaskStore } from './taskStore'
import './tasks.css'

/** Saves `data` as a file through a temporary link: works in Electron and in a browser tab. */
export function downloadJson(fileName: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' })
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

/** "Export history": every event of the aggregate as `<id>.history.json`. */
export function ExportButton({ aggregateId }: { aggregateId: string }) {
  const [taskId, setTaskId] = useState<string | undefined>(undefined)
  const [result, setResult] = useState<
    | { kind: 'done'; events: number; fileName: string }
    | { kind: 'error'; error: unknown }
    | undefined
  >(undefined)
  const running = useTaskStore((state) =>
    isTaskActive(state.tasks.find((task) => task.taskId === taskId)),
  )
  const shortId = aggregateId.slice(0, 8)
  const statusId = useId()

  const exportHistory = () => {
    setResult(undefined)
    const fileName = `${aggregateId}.history.json`
    runTask(
      `Export history of ${shortId}`,
      (id) => api.exportHistory({ id: aggregateId, taskId: id }),
      (value) => ({ status: 'done', message: `Exported ${value.events.length} events` }),
      { prefix: 'export', onStart: setTaskId },
    ).then(
      (value) => {
        downloadJson(fileName, value)
        setResult({ kind: 'done', events: value.events.length, fileName })
      },
      (error: unknown) => setResult({ kind: 'error', error }),
    )
  }

  return (
    <div className="export-button">
      <button type="button" onClick={exportHistory} disabled={running} aria-describedby={statusId}>
        {running ? 'Exporting…' : 'Export history'}
      </button>
      <div className="export-button__status" id={statusId} aria-live="polite">
        {running && taskId && <TaskProgressBar taskId={taskId} />}
        {!running && result?.kind === 'done' && (
          // The floating task list shows the outcome; this tells screen readers.
          <span className="visually-hidden" role="status">
            Exported {result.events} {result.events === 1 ? 'event' : 'events'} to {result.fileName}
          </span>
        )}
      </div>
      {result?.kind === 'error' && (
        <ErrorAlert
          error={result.error}
          context="Export failed"
          onDismiss={() => setResult(undefined)}
        />
      )}
    </div>
  )
}
