/**
 * Facts about the aggregate as of the shown version: id (copyable), type, version, dates
 * (local or UTC), hash-chain check, encryption, and how the state was loaded.
 */
import { memo, useState, type ReactNode } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateView, HashChainStatus as HashChain } from '../../../../shared/contract'
import { ExportButton } from '../tasks/ExportButton'
import { checkedText, wholeHistoryText } from '../../lib/hashChainText'
import { VerifyHistoryButton } from '../verify/VerifyHistoryButton'
import { LockIcon } from '../../ui/icons'
import { copyText } from '../../lib/clipboard'
import type { UiError } from '../../ui/errors'
import { formatCount, formatDateTime, type TimeZoneMode } from '../../lib/format'
import { describeTopic, useAggregateTypes } from '../../queries/aggregates'
import { useSelectionStore } from '../../stores/selectionStore'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { SegmentedRadioGroup } from '../../ui/SegmentedRadioGroup'
import { SnapshotFailureBadge } from '../../ui/SnapshotFailure'

const ZONES = [
  { value: 'local', label: 'Local' },
  { value: 'utc', label: 'UTC' },
] as const

/**
 * Memoised: moving the slider changes none of its props until the answer comes (the view shown
 * stays while the next loads), and it need not render again with every step (issue 10).
 */
export const AggregateHeader = memo(function AggregateHeader({
  aggregateId,
  view,
  latestVersion,
  error = null,
}: {
  aggregateId: string
  view: AggregateView | null
  /**
   * The newest version known now. A past version's answer is cached for good, and the
   * latestVersion it carries is only what was newest when it was fetched.
   */
  latestVersion: number
  /** Why the view could not be loaded: an integrity failure shows in the Hash chain fact. */
  error?: UiError | null
}) {
  const integrityError = error?.code === 'DataIntegrityError' ? error : null
  const timezone = useSelectionStore((s) => s.timezone)

  return (
    <header className="aggregate-header">
      <TitleRow
        aggregateId={aggregateId}
        type={view?.type ?? null}
        definitionLoaded={view?.definitionLoaded ?? true}
        discarded={view?.discarded ?? false}
        encrypted={view?.encrypted ?? false}
      />

      <dl className="facts">
        <Fact label="Version" className="fact-version">
          {view && (
            <span>
              {view.version}
              {view.version >= latestVersion ? (
                <span className="muted"> (latest)</span>
              ) : (
                <span className="muted"> of {latestVersion}</span>
              )}
            </span>
          )}
        </Fact>
        <Fact label="Created">{view && <When iso={view.createdOn} timezone={timezone} />}</Fact>
        <Fact label="Last modified">
          {view && <When iso={view.lastModified} timezone={timezone} />}
        </Fact>
        <Fact label="Hash chain">
          {view ? (
            <HashChainBadge chain={view.hashChain} timezone={timezone} />
          ) : integrityError ? (
            <BrokenBadge
              version={brokenVersionOf(integrityError)}
              title={integrityError.message}
              unreadable={problemOf(integrityError) === 'undecodable'}
            />
          ) : null}
        </Fact>
        <Fact label="Encryption">
          {view && (
            <span className={`badge ${view.encrypted ? 'badge-ok' : 'badge-warn'}`}>
              <LockIcon open={!view.encrypted} />
              {view.encrypted ? 'Encrypted' : 'Not encrypted'}
            </span>
          )}
        </Fact>
        <Fact label="Loaded from">
          {view && (
            <span
              title={
                view.fromCheckpoint
                  ? `Checkpoint verified at ${formatDateTime(view.fromCheckpoint.verifiedAt, timezone)}`
                  : undefined
              }
            >
              {loadedFrom(view)}
            </span>
          )}
          {view?.snapshotFailure && (
            <>
              {' '}
              <SnapshotFailureBadge failure={view.snapshotFailure} />
            </>
          )}
        </Fact>
        <TimeZoneFact />
      </dl>
      {view?.hashChain.status === 'broken' && view.hashChain.message && (
        <p className="alert alert-danger" role="alert">
          Hash chain broken
          {view.hashChain.brokenAtVersion !== undefined
            ? ` at v${view.hashChain.brokenAtVersion}`
            : ''}
          : {view.hashChain.message}
        </p>
      )}
    </header>
  )
})

/** Type, id and the aggregate's actions: the same for every version (memoised; issue 10). */
const TitleRow = memo(function TitleRow({
  aggregateId,
  type,
  definitionLoaded,
  discarded,
  encrypted,
}: {
  aggregateId: string
  /** The view's type; null while no view is loaded. */
  type: string | null
  definitionLoaded: boolean
  discarded: boolean
  encrypted: boolean
}) {
  return (
    <div className="aggregate-title-row">
      <div className="aggregate-title">
        <span className="eyebrow" title={type !== null ? revealInvisible(type) : undefined}>
          {type !== null ? (
            <TypeName topic={type} definitionLoaded={definitionLoaded} />
          ) : (
            <span className="skeleton skeleton-text" style={{ width: '9rem' }} />
          )}
        </span>
        <h2 className="aggregate-id-heading">
          {/* A Python store's text id may hold anything: markers for what cannot be seen. */}
          <span className="mono">{visible(aggregateId)}</span>
          <CopyIdButton id={aggregateId} />
        </h2>
      </div>
      <div className="aggregate-actions">
        {discarded && <span className="badge badge-danger badge-lg">Discarded</span>}
        <VerifyHistoryButton aggregateId={aggregateId} />
        <ExportButton aggregateId={aggregateId} encrypted={encrypted} />
      </div>
    </div>
  )
})

/** The Local/UTC choice (memoised: it does not follow the version). */
const TimeZoneFact = memo(function TimeZoneFact() {
  const { timezone, setTimezone } = useSelectionStore(
    useShallow((s) => ({ timezone: s.timezone, setTimezone: s.setTimezone })),
  )
  return (
    <div className="fact fact-tz">
      <dt className="visually-hidden">Time zone</dt>
      <dd>
        <SegmentedRadioGroup
          label="Time zone"
          options={ZONES}
          value={timezone}
          onChange={setTimezone}
        />
      </dd>
    </div>
  )
})

/** Undoes the eyebrow's capitals and spacing (inline: it must win over the eyebrow's style). */
const AS_WRITTEN = { textTransform: 'none', letterSpacing: 'normal' } as const

/** The display name of a registered type; else the topic, marked as having no definition. */
function TypeName({ topic, definitionLoaded }: { topic: string; definitionLoaded: boolean }) {
  const { types, typesLoaded } = useAggregateTypes()
  const { name, unregistered } = describeTopic(types, typesLoaded, topic)
  return (
    <>
      {/* A raw topic is case-sensitive (Python's `__main__:Warehouse`): shown as written. */}
      {unregistered ? <span style={AS_WRITTEN}>{visible(name)}</span> : visible(name)}
      {(unregistered || !definitionLoaded) && (
        <span className="badge badge-warn aggregate-type-marker">no definition</span>
      )}
    </>
  )
}

/** "✓ snapshot v300 linked, events v301–v350 verified", and the last whole-history check. */
function HashChainBadge({ chain, timezone }: { chain: HashChain; timezone: TimeZoneMode }) {
  if (chain.status === 'broken')
    return <BrokenBadge version={chain.brokenAtVersion} title={chain.message} unreadable={false} />
  if (chain.status === 'absent')
    return (
      <span
        className="badge"
        title={chain.message}
        role="status"
        aria-label="Hash chain: none in this store; only the order of versions was checked"
      >
        No hash chain
      </span>
    )
  const checked = checkedText(chain)
  const whole = wholeHistoryText(chain, timezone)
  return (
    <span className="hash-chain-badges">
      <span
        className="badge badge-ok"
        title={chain.message}
        role="status"
        aria-label={`Hash chain: ${checked}`}
      >
        ✓ {checked}
      </span>
      {whole && (
        <span className="badge badge-ok" role="status" aria-label={`Hash chain: ${whole}`}>
          ✓ {whole}
        </span>
      )}
    </span>
  )
}

function BrokenBadge({
  version,
  title,
  unreadable,
}: {
  version: number | undefined
  title: string | undefined
  /** A record that cannot be read (damaged, wrong key, unknown topic): no link was broken. */
  unreadable: boolean
}) {
  const at = version !== undefined ? ` at v${version}` : ''
  return (
    <span
      className="badge badge-danger"
      title={title}
      role="status"
      aria-label={unreadable ? `Stored data unreadable${at}` : `Hash chain broken${at}`}
    >
      ✕ {unreadable ? 'Unreadable' : 'Broken'}
      {at}
    </span>
  )
}

function problemOf(error: UiError): unknown {
  return (error.details as { problem?: unknown } | undefined)?.problem
}

function brokenVersionOf(error: UiError): number | undefined {
  const version = (error.details as { originatorVersion?: unknown } | undefined)?.originatorVersion
  return typeof version === 'number' ? version : undefined
}

const plural = (n: number, word: string) => `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`

function Fact({
  label,
  className,
  children,
}: {
  label: string
  className?: string
  children: ReactNode
}) {
  return (
    <div className={className ? `fact ${className}` : 'fact'}>
      <dt>{label}</dt>
      <dd>{children ?? <span className="skeleton skeleton-text" style={{ width: '5rem' }} />}</dd>
    </div>
  )
}

function CopyIdButton({ id }: { id: string }) {
  const [copied, setCopied] = useState(false)
  return (
    <button
      type="button"
      className="btn btn-icon btn-ghost"
      aria-label="Copy aggregate id"
      title={copied ? 'Copied' : 'Copy id'}
      onClick={() => {
        void copyText(id).then((ok) => {
          setCopied(ok)
          if (ok) setTimeout(() => setCopied(false), 1500)
        })
      }}
    >
      {copied ? (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <path
            d="m3 8.5 3 3 7-7"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
      ) : (
        <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
          <rect
            x="5"
            y="5"
            width="8.5"
            height="8.5"
            rx="1.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.4"
          />
          <path
            d="M3 10.5V3.5A1 1 0 0 1 4 2.5h6.5"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.4"
          />
        </svg>
      )}
      <span className="visually-hidden" aria-live="polite">
        {copied ? 'Copied' : ''}
      </span>
    </button>
  )
}

/** Where the shown state was replayed from; eventsReplayed counts the events after it. */
function loadedFrom(view: AggregateView): string {
  const events = plural(view.eventsReplayed, 'event')
  const checkpoint = view.fromCheckpoint?.version
  // A stored snapshot an earlier answer decoded, kept in memory (not read again).
  if (checkpoint !== undefined && checkpoint === view.loadedFromSnapshot)
    return `snapshot v${checkpoint} (kept in memory) + ${events}`
  // An in-memory checkpoint of an earlier replay: neither the store's snapshot nor version 0.
  if (checkpoint !== undefined) return `checkpoint v${checkpoint} + ${events}`
  // No definition: the state is the snapshot's, the events after it are listed but not applied.
  if (!view.definitionLoaded && view.loadedFromSnapshot !== undefined) {
    const after = view.version - view.loadedFromSnapshot
    const snapshot = `snapshot v${view.loadedFromSnapshot}`
    return after > 0 ? `${snapshot}; ${plural(after, 'event')} after it not applied` : snapshot
  }
  if (view.loadedFromSnapshot !== undefined)
    return `snapshot v${view.loadedFromSnapshot} + ${events}`
  return `${events}, no snapshot`
}

/** A time, or "unknown" when the event it is read from cannot be read (the hash chain says why). */
function When({ iso, timezone }: { iso: string | null; timezone: TimeZoneMode }) {
  return iso === null ? (
    <span className="muted">unknown</span>
  ) : (
    <time dateTime={iso}>{formatDateTime(iso, timezone)}</time>
  )
}
