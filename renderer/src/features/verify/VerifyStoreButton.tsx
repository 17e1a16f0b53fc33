/**
 * "Verify store": Verify whole history for every aggregate, paged through the aggregate index
 * (a task with progress and Cancel). The result lists each problem with its aggregate and
 * version; opening one selects that aggregate.
 */
import { useId, useState } from 'react'
import type { ResponseOf } from '../../../../shared/contract'
import { useApi } from '../../service'
import { ErrorAlert } from '../../ui/errors'
import { describeError } from '../../ui/errors'
import { ModalDialog } from '../../ui/ModalDialog'
import { useReveal } from '../../lib/useReveal'
import { runTask } from '../../lib/runTask'
import { useAction } from '../../ui/useAction'
import { TaskProgressBar } from '../../ui/TaskProgress'
import { isTaskActive, useTaskStore } from '../../stores/taskStore'
import { formatCount } from '../../lib/format'
import { usePythonStore } from '../../stores/useWriteBlock'
import { ProblemList } from './ProblemList'
import { NO_HASH_CHAIN } from './noHashChain'
import './verify.css'

type StoreReport = ResponseOf<'verifyStore'>

export function VerifyStoreButton() {
  const api = useApi()
  // The server refuses it there: a Python store has no hash chain.
  const python = usePythonStore()
  const whyId = useId()
  const [taskId, setTaskId] = useState<string | undefined>(undefined)
  const [report, setReport] = useState<StoreReport | undefined>(undefined)
  const running = useTaskStore((state) =>
    isTaskActive(state.tasks.find((task) => task.taskId === taskId)),
  )

  // The task store shows progress and Cancel; useAction keeps the failure to show here.
  const action = useAction(() =>
    runTask(
      'Verify store',
      (id) => api.verifyStore({ taskId: id }),
      (report: StoreReport) => ({
        status: 'done',
        message: `${formatCount(report.aggregatesChecked)} aggregates checked, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`,
      }),
      { prefix: 'verify-store', onStart: setTaskId },
    ),
  )
  const { run, clearError } = action
  const verify = async () => {
    setReport(undefined)
    const outcome = await run()
    if (outcome.ok) setReport(outcome.value)
    // A cancel is the user's own doing: the task list says so, nothing to show here.
    else if (describeError(outcome.error).code === 'Cancelled') clearError()
  }

  const failure = action.error
  const close = () => setReport(undefined)
  const errorRef = useReveal<HTMLDivElement>(failure)
  return (
    <>
      <button
        type="button"
        className="btn"
        onClick={() => void verify()}
        disabled={running || python}
        title={python ? NO_HASH_CHAIN : undefined}
        aria-describedby={python ? whyId : undefined}
      >
        {running ? 'Verifying store…' : 'Verify store'}
      </button>
      {python && (
        <span id={whyId} className="visually-hidden">
          {NO_HASH_CHAIN}
        </span>
      )}
      {running && taskId && (
        <div className="verify-store__progress">
          <TaskProgressBar taskId={taskId} />
        </div>
      )}
      <ModalDialog open={report !== undefined} title="Verify store" onClose={close}>
        {report && (
          <div className="verify-result">
            <p role="status">
              {formatCount(report.aggregatesChecked)} aggregates and{' '}
              {formatCount(report.eventsChecked)} events checked:{' '}
              {report.problems.length === 0
                ? 'no problem found.'
                : `${report.problems.length}${report.truncated ? '+' : ''} problem${report.problems.length === 1 ? '' : 's'} found.`}
            </p>
            {report.problems.length > 0 && (
              <ProblemList problems={report.problems} label="Problems in the store" showAggregate />
            )}
            <div className="feature-actions">
              <button type="button" className="btn" onClick={close}>
                Close
              </button>
            </div>
          </div>
        )}
      </ModalDialog>
      {failure !== undefined && (
        <div ref={errorRef}>
          <ErrorAlert error={failure} context="Verify store failed" onDismiss={clearError} />
        </div>
      )}
    </>
  )
}
