/** Problems found by a Verify action: aggregate, version, what is wrong; each can be opened. */
import type { IntegrityProblemDto } from '../../../../shared/contract'
import { LOWERCASE_UUID } from '../../../../shared/contractBasics'
import { useSelectionStore } from '../../stores/selectionStore'
import { VisibleText } from '../../ui/VisibleText'

const KIND_TEXT: Record<IntegrityProblemDto['kind'], string> = {
  missing: 'missing',
  unlinked: 'does not link',
  tampered: 'contents changed',
  undecodable: 'unreadable',
  unlisted: 'not in the log',
}

export function ProblemList({
  problems,
  label,
  showAggregate = false,
}: {
  problems: readonly IntegrityProblemDto[]
  label: string
  showAggregate?: boolean
}) {
  const select = useSelectionStore((s) => s.select)
  return (
    <table className="problem-list" aria-label={label}>
      <thead>
        <tr>
          {showAggregate && <th scope="col">Aggregate</th>}
          <th scope="col">Version</th>
          <th scope="col">Problem</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p) => (
          <tr key={`${p.aggregateId}-${p.version}-${p.kind}`}>
            {showAggregate && !LOWERCASE_UUID.test(p.aggregateId) && (
              <td className="mono">
                <VisibleText text={p.aggregateId} />{' '}
                <span className="muted">(no aggregate id)</span>
              </td>
            )}
            {showAggregate && LOWERCASE_UUID.test(p.aggregateId) && (
              <td>
                <button
                  type="button"
                  className="btn btn-xs btn-ghost mono"
                  aria-label={`Open aggregate ${p.aggregateId}`}
                  title={p.aggregateId}
                  onClick={() => select(p.aggregateId)}
                >
                  {p.aggregateId.slice(0, 8)}…
                </button>
              </td>
            )}
            <td className="mono">v{p.version}</td>
            <td>{KIND_TEXT[p.kind]}</td>
            <td className="problem-list__message">{p.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
