import { useState, type CSSProperties } from 'react'
import type { EventDto, ExplorerApi } from '../../../../shared/contract'
import { STRING_SHOWN_MAX, type ShortenedString } from '../../../../shared/statePages'
import { copyText } from '../../lib/clipboard'
import { useApi } from '../../service'
import { explainError } from '../../ui/errors'
import { formatBytes, formatCount, previewJson, type TimeZoneMode } from '../../lib/format'
import type { RawEntry } from '../../queries/timeline'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { EventTime } from './EventTime'

export const EVENT_ROW_HEIGHT = 40
/** Long ciphertexts are cut here on screen; Copy still copies all of it. */
const RAW_PREVIEW_CHARS = 1200

interface EventRowProps {
  index: number
  measureRef: (el: Element | null) => void
  style: CSSProperties
  event: EventDto
  /** The row above, for its day; undefined on the first row or while it loads. */
  above: EventDto | undefined
  /** The version before, for a timestamp earlier than its; undefined while not loaded. */
  previousVersion: EventDto | undefined
  current: boolean
  snapshot: boolean
  rawOpen: boolean
  raw: RawEntry | undefined
  timezone: TimeZoneMode
  onToggleRaw(): void
  onSelect(): void
}

/** Creation and discard by the event's role (any type's, e.g. an account's Opened/Closed). */
function toneOf(event: EventDto): string {
  if (event.role === 'created') return 'tone-ok'
  if (event.role === 'discarded') return 'tone-danger'
  return event.type === 'AttributeChanged' ? 'tone-accent' : 'tone-muted'
}

export function EventRow(props: EventRowProps) {
  const { event, current, snapshot, rawOpen, raw, timezone } = props
  const [copied, setCopied] = useState(false)
  const api = useApi()

  return (
    // A click on the row is a shortcut: the keyboard moves through versions with the slider.
    // eslint-disable-next-line jsx-a11y-x/click-events-have-key-events, jsx-a11y-x/interactive-supports-focus
    <div
      ref={props.measureRef}
      data-index={props.index}
      role="row"
      aria-rowindex={props.index + 2}
      aria-current={current ? 'true' : undefined}
      className={`virtual-row event-row${current ? ' is-current' : ''}${rawOpen ? ' is-open' : ''}`}
      style={props.style}
      onClick={(e) => {
        // Buttons and the raw panel have their own meaning; elsewhere a click selects the version.
        if ((e.target as HTMLElement).closest('button, .event-detail')) return
        props.onSelect()
      }}
    >
      <div className="event-grid">
        <span role="cell" className="event-version mono">
          v{event.version}
          {snapshot && (
            <span
              className="badge badge-snapshot"
              title={`A snapshot was taken at version ${event.version}`}
            >
              snapshot
            </span>
          )}
        </span>
        <span role="cell" className={`event-type ${toneOf(event)}`}>
          {visible(event.type)}
        </span>
        {event.problem === undefined ? (
          <>
            <EventTime
              event={event}
              above={props.above}
              previousVersion={props.previousVersion}
              timezone={timezone}
            />
            <span
              role="cell"
              className="event-payload mono truncate"
              title={revealInvisible(previewJson(event.payload, 2000))}
            >
              {visible(previewJson(event.payload))}
            </span>
          </>
        ) : (
          <UnreadableCells problem={event.problem} />
        )}
        <span role="cell" className="event-actions">
          <button
            type="button"
            className="btn btn-xs"
            aria-pressed={rawOpen}
            aria-label={`Raw record of version ${event.version}`}
            onClick={props.onToggleRaw}
          >
            Raw
          </button>
          <button
            type="button"
            className="btn btn-xs btn-ghost"
            aria-label={`Copy payload of version ${event.version}`}
            onClick={() => {
              void copyPayload(api, event).then((ok) => {
                setCopied(ok)
                if (ok) setTimeout(() => setCopied(false), 1500)
              })
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </span>
      </div>
      {rawOpen && (
        <div role="cell" className="event-detail">
          <div
            className="detail-pane"
            role="group"
            aria-label={`Decoded payload, version ${event.version}`}
          >
            <div className="detail-title">Decoded payload</div>
            <pre className="code-block">{visible(JSON.stringify(event.payload, null, 2))}</pre>
            {event.payloadShortened.length > 0 && (
              <ShortenedNote shortened={event.payloadShortened} />
            )}
            <div className="detail-meta mono">
              <span title="This event's hash">hash {event.hash.slice(0, 16)}…</span>
              <span title="The previous event's hash">
                prev {event.previousHash ? `${event.previousHash.slice(0, 16)}…` : '—'}
              </span>
            </div>
          </div>
          <div
            className="detail-pane"
            role="group"
            aria-label={`Stored record, version ${event.version}`}
          >
            <div className="detail-title">
              Stored record
              {raw?.status === 'ready' && (
                <>
                  <span className={`badge ${raw.record.encrypted ? 'badge-ok' : 'badge-warn'}`}>
                    {raw.record.encrypted ? 'encrypted' : 'not encrypted'}
                  </span>
                  <span className="muted">{formatBytes(raw.record.byteLength)}</span>
                </>
              )}
            </div>
            {raw === undefined || raw.status === 'loading' ? (
              <div className="code-block" aria-busy="true">
                <span className="skeleton skeleton-line" style={{ width: '90%' }} />
                <span className="skeleton skeleton-line" style={{ width: '70%' }} />
              </div>
            ) : raw.status === 'error' ? (
              <p className="alert alert-danger" role="alert">
                {explainError(raw.error)} <span className="muted">{raw.error.message}</span>
              </p>
            ) : (
              <>
                <pre className="code-block code-wrap" aria-label="Stored bytes, base64">
                  {raw.record.stateBase64.length > RAW_PREVIEW_CHARS
                    ? `${raw.record.stateBase64.slice(0, RAW_PREVIEW_CHARS)}… (${formatCount(raw.record.stateBase64.length - RAW_PREVIEW_CHARS)} more characters)`
                    : raw.record.stateBase64}
                </pre>
                <div className="detail-meta mono">
                  <span className="truncate" title={revealInvisible(raw.record.topic)}>
                    {visible(raw.record.topic)}
                  </span>
                  <span>{formatCount(raw.record.byteLength)} bytes, base64</span>
                </div>
              </>
            )}
          </div>
        </div>
      )}
    </div>
  )
}

export function SkeletonEventRow(props: {
  index?: number
  measureRef?: (el: Element | null) => void
  style?: CSSProperties
  label?: string
}) {
  return (
    <div
      ref={props.measureRef}
      data-index={props.index}
      role={props.index === undefined ? undefined : 'row'}
      aria-rowindex={props.index === undefined ? undefined : props.index + 2}
      aria-busy="true"
      aria-label={props.label}
      className={`event-row skeleton-row${props.index === undefined ? '' : ' virtual-row'}`}
      style={{ height: EVENT_ROW_HEIGHT, ...props.style }}
    >
      <div className="event-grid">
        <span className="skeleton skeleton-text" style={{ width: '2.5rem' }} />
        <span className="skeleton skeleton-text" style={{ width: '7rem' }} />
        <span className="skeleton skeleton-text" style={{ width: '6rem' }} />
        <span className="skeleton skeleton-text" style={{ width: '70%' }} />
        <span />
      </div>
    </div>
  )
}

/** The whole payload, as text: a listed one whose strings were shortened is asked for whole. */
async function copyPayload(api: ExplorerApi, event: EventDto): Promise<boolean> {
  let payload = event.payload
  if (event.payloadShortened.length > 0) {
    try {
      const { events } = await api.exportHistory({
        id: event.originatorId,
        fromVersion: event.version,
        limit: 1,
      })
      if (events[0]?.version !== event.version) return false
      payload = events[0].payload
    } catch {
      return false
    }
  }
  return copyText(JSON.stringify(payload, null, 2))
}

/** `items[3].name` for ['items', 3, 'name']. */
function pathText(path: ReadonlyArray<string | number>): string {
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('')
}

function ShortenedNote({ shortened }: { shortened: readonly ShortenedString[] }) {
  return (
    <p className="muted">
      Long strings are shortened here to their first {formatCount(STRING_SHOWN_MAX)} characters:{' '}
      {shortened
        .map((s) => `${pathText(s.path) || 'the payload'} (${formatCount(s.length)} characters)`)
        .join(', ')}
      . Copy copies the whole payload; Export history holds it too.
    </p>
  )
}

/** An unreadable record's time and payload cells: its time is unknown (a placeholder is stored). */
function UnreadableCells({ problem }: { problem: string }) {
  return (
    <>
      <span role="cell" className="event-time muted">
        unknown
      </span>
      <span
        role="cell"
        className="event-payload feature-warning truncate"
        title={revealInvisible(problem)}
      >
        ⚠ unreadable: {visible(problem)}
      </span>
    </>
  )
}
