/**
 * Two clients load the same aggregate, each at the latest version then: each stages commands
 * and saves with the version it loaded. The first save wins; the second is refused with
 * ConcurrencyError (the version it expected to be free already exists), and after Reload its
 * staged commands run on the newest version and save.
 */
import { useId, useRef, useState } from 'react'
import '../../ui/feature.css'
import './conflict.css'
import { visible } from '../../ui/VisibleText'
import { ClientCard, type LogTone } from './ClientCard'

interface LogLine {
  id: number
  tone: LogTone
  text: string
}

const toneMarker: Record<LogTone, string> = { info: '•', ok: '✓', rejected: '✗', failed: '⚠' }

export function ConflictDemo({ aggregateId }: { aggregateId: string }) {
  const headingId = useId()
  const logHeadingId = useId()
  const [log, setLog] = useState<LogLine[]>([])
  const seq = useRef(0)

  const note = (tone: LogTone, text: string) => {
    seq.current += 1
    const id = seq.current
    setLog((current) => [...current, { id, tone, text }])
  }

  return (
    <section className="conflict-demo feature-panel" aria-labelledby={headingId}>
      <h3 id={headingId} className="feature-heading">
        Conflict demo
      </h3>
      <p className="muted conflict-demo__intro">
        Client A and Client B each load this aggregate and stage commands on the version they
        loaded. Save A, then B: B&apos;s save is rejected with a ConcurrencyError because the
        version it expected to be free already exists. Reload B (its staged commands are kept) and
        its save succeeds.
      </p>
      <div className="conflict-demo__sides">
        <ClientCard key={`${aggregateId}A`} aggregateId={aggregateId} side="A" onNote={note} />
        <ClientCard key={`${aggregateId}B`} aggregateId={aggregateId} side="B" onNote={note} />
      </div>
      <div className="conflict-demo__log" role="region" aria-labelledby={logHeadingId}>
        <h4 id={logHeadingId} className="feature-subheading">
          Step log
        </h4>
        {log.length === 0 ? (
          <p className="muted">Saves and reloads appear here as you go.</p>
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
      </div>
    </section>
  )
}
