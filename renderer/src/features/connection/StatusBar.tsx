/**
 * The shell's compact connection status: which store, whether events are encrypted, and a
 * live dot that pulses whenever a `changes` batch arrives. Clicking the store opens the
 * connection screen. While the page's socket is down the store's dot is a hollow ring (not
 * green) and the names say the page is offline.
 */
import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useConnectionStore } from '../../stores/connectionStore'
import { useConnectionInfo } from '../../queries/connection'
import { useTransportStatus } from '../../service'
import { revealInvisible, visible } from '../../ui/VisibleText'
import { LockIcon } from '../../ui/icons'
import { AvailabilityBadge } from './Availability'
import { formatClock, formatCount } from '../../lib/format'
import { KIND_NAMES, storeDetail } from '../../lib/storeLabel'
import { useSelectionStore } from '../../stores/selectionStore'

export function StatusBar() {
  const info = useConnectionInfo()
  const transport = useTransportStatus()
  const { changeCount, lastChangeAt, openScreen } = useConnectionStore(
    useShallow((s) => ({
      changeCount: s.changeCount,
      lastChangeAt: s.lastChangeAt,
      openScreen: s.openScreen,
    })),
  )
  const timezone = useSelectionStore((s) => s.timezone)
  const [pulsing, setPulsing] = useState(false)

  useEffect(() => {
    if (changeCount === 0) return
    setPulsing(true)
    const t = setTimeout(() => setPulsing(false), 1200)
    return () => clearTimeout(t)
  }, [changeCount])

  const connected = info?.status === 'connected'
  const storeDown = connected && info?.availability?.state === 'unavailable'
  // The store shown is what the server last said; with the page's socket down it may be stale.
  const pageOffline = info !== null && transport !== 'open'
  const live = connected && transport === 'open' && !storeDown
  const liveText =
    transport === 'closed' || transport === 'refused'
      ? 'Offline'
      : transport === 'connecting'
        ? 'Reconnecting'
        : storeDown
          ? 'Paused'
          : connected
            ? 'Live'
            : 'Idle'
  const kindName = info?.kind ? KIND_NAMES[info.kind] : 'Not connected'
  const shownDescription = info?.description ? storeDetail(info) : undefined
  const lastText = lastChangeAt ? `, last change at ${formatClock(lastChangeAt, timezone)}` : ''

  return (
    <div className="status-bar" role="group" aria-label="Connection status">
      <button
        type="button"
        className="status-store"
        onClick={openScreen}
        // The name holds the visible text as it reads (WCAG 2.5.3, label in name).
        aria-label={`Change store (current: ${[kindName, shownDescription]
          .filter(Boolean)
          .map((text) => revealInvisible(text ?? ''))
          .join(' ')}${pageOffline ? '; this page is offline' : ''})`}
      >
        <span
          className={`dot ${pageOffline ? 'dot-offline' : connected && !storeDown ? 'dot-ok' : 'dot-off'}`}
          aria-hidden="true"
        />
        <span className="status-kind">{kindName}</span>
        {info?.description && shownDescription !== undefined && (
          <>
            {' '}
            <span className="status-desc truncate" title={revealInvisible(info.description)}>
              {visible(shownDescription)}
            </span>
          </>
        )}
      </button>
      {connected && <AvailabilityBadge availability={info.availability} />}
      {info && (
        <span
          className={`badge ${info.encrypted ? 'badge-ok' : 'badge-warn'}`}
          // A name needs a role: the badge is one picture of the state, named with its note.
          role="img"
          title={info.encryptionNote}
          aria-label={`${info.encrypted ? 'Encrypted' : 'Not encrypted'}: ${info.encryptionNote}`}
        >
          <LockIcon open={!info.encrypted} />
          {info.encrypted ? 'Encrypted' : 'Not encrypted'}
        </span>
      )}
      <span
        className={`live ${live ? 'is-live' : 'is-offline'}${pulsing ? ' is-pulsing' : ''}`}
        role="status"
        aria-label={`Live updates: ${liveText}${lastText}`}
        title={`${formatCount(changeCount)} change batches received${lastText}`}
      >
        <span className="live-dot" aria-hidden="true" key={changeCount} />
        <span aria-hidden="true">{liveText}</span>
      </span>
    </div>
  )
}
