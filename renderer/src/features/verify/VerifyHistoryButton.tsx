/**
 * "Verify whole history": every stored event of the aggregate from its creation, every snapshot
 * against its event, and the newest version against the aggregate index (a task with progress
 * and Cancel). Without a problem, the header's badge then says so with the time; otherwise each
 * problem is listed with its version.
 */
import { useId, useState } from 'react'
import type { HistoryVerificationDto } from '../../../../shared/contract'
import { useApi } from '../../service'
import { ErrorAlert } from '../../ui/errors'
import { describeError } from '../../ui/errors'
import { runTask } from '../../lib/runTask'
import { TaskProgressBar } from '../../ui/TaskProgress'
import { isTaskActive, useTaskStore } from '../../stores/taskStore'
import { useQueryClient } from '@tanstack/react-query'
import { keys } from '../../queries/keys'
import { useReveal } from '../../lib/useReveal'
import { useAction } from '../../ui/useAction'
import { ProblemList } from './ProblemList'
import { usePythonStore } from '../../stores/useWriteBlock'
import { NO_HASH_CHAIN } from './noHashChain'
import './verify.css'

export function VerifyHistoryButton({ aggregateId }: { aggregateId: string }) {
  const [taskId, setTaskId] = useState<string | undefined>(undefined)
  const [report, setReport] = useState<HistoryVerificationDto | undefined>(undefined)
  const running = useTaskStore((state) =>
    isTaskActive(state.tasks.find((task) => task.taskId === taskId)),
  )
  const statusId = useId()
  const whyId = useId()
  // The server refuses it there: a Python store has no hash chain.
  const python = usePythonStore()
  const shortId = aggregateId.slice(0, 8)

  const client = useQueryClient()
  const api = useApi()
  // The task store shows progress and Cancel; useAction keeps the failure to show here.
  const action = useAction(() =>
    runTask(
      `Verify whole history of ${shortId}`,
      (id) => api.verifyHistory({ id: aggregateId, taskId: id }),
      (report: HistoryVerificationDto) => ({
        status: 'done',
        message:
          report.problems.length === 0
            ? `Whole history verified: ${report.eventsChecked} events`
            : `${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} found`,
      }),
      { prefix: 'verify', onStart: setTaskId },
    ),
  )
  const { run, clearError } = action
  const verify = async () => {
    setReport(undefined)
    const outcome = await run()
    if (!outcome.ok) {
      // A cancel is the user's own doing: the task list says so, nothing to show here.
      if (describeError(outcome.error).code === 'Cancelled') clearError()
      return
    }
    setReport(outcome.value)
    // The badge shows the whole-history check once the view is read again.
    if (outcome.value.problems.length === 0)
      void client.invalidateQueries({ queryKey: keys.aggregate(aggregateId) })
  }
  const failure = action.error
  const result = report ?? failure

  // Problems or a failure appear under the button: bring them into view.
  const ref = useReveal<HTMLDivElement>(result)
  return (
    <div className="verify-history" ref={ref}>
      <button
        type="button"
        onClick={() => void verify()}
        disabled={running || python}
        title={python ? NO_HASH_CHAIN : undefined}
        aria-describedby={python ? `${whyId} ${statusId}` : statusId}
      >
        {running ? 'Verifying…' : 'Verify whole history'}
      </button>
      {python && (
        <span id={whyId} className="visually-hidden">
          {NO_HASH_CHAIN}
        </span>
      )}
      <div id={statusId} aria-live="polite">
        {running && taskId && <TaskProgressBar taskId={taskId} />}
        {!running && report && report.problems.length === 0 && (
          <span className="visually-hidden" role="status">
            Whole history verified: {report.eventsChecked} events and {report.snapshotsChecked}{' '}
            snapshots, no problem found
          </span>
        )}
      </div>
      {report && report.problems.length > 0 && (
        <div className="verify-result alert alert-danger" role="alert">
          <strong>
            Verify whole history found {report.problems.length}
            {report.truncated ? '+' : ''} problem{report.problems.length === 1 ? '' : 's'} in{' '}
            {report.eventsChecked} events and {report.snapshotsChecked} snapshots
          </strong>
          <ProblemList problems={report.problems} label="Problems in this history" />
          <button type="button" className="btn btn-sm" onClick={() => setReport(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {failure !== undefined && (
        <ErrorAlert error={failure} context="Verify whole history failed" onDismiss={clearError} />
      )}
    </div>
  )
}
