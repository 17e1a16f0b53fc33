/**
 * Events per time bucket as SVG bars: a picture (role="img", named by a text summary) with an
 * inspector over it, a slider that picks a bucket by pointer or arrow keys and reads out its
 * start and count. Bars and grid lines are placed in percentages, so the chart fills any width
 * without measuring it.
 */
import { useState, type KeyboardEvent, type PointerEvent } from 'react'
import { formatDateTime, type TimeZoneMode } from '../../lib/format'
import type { ActivityBucket } from '../../../../shared/contract'
import { labelIndices, tickFormat, yTicks } from './histogramScale'

const numberFormat = new Intl.NumberFormat()
/** Part of each bucket's slot left empty beside its bar, so neighbouring bars stay apart. */
const GAP = 0.15
/** How far PageUp and PageDown move the inspector. */
const PAGE = 10

const eventsText = (n: number) => `${numberFormat.format(n)} ${n === 1 ? 'event' : 'events'}`

export function ActivityHistogram({
  buckets,
  summary,
  timezone,
}: {
  buckets: readonly ActivityBucket[]
  summary: string
  timezone: TimeZoneMode
}) {
  const [picked, setPicked] = useState<number | null>(null)
  const [active, setActive] = useState(false)
  const ticks = yTicks(Math.max(0, ...buckets.map((bucket) => bucket.events)))
  const top = ticks[ticks.length - 1] ?? 1
  const last = buckets.length - 1
  // Starts at the newest bucket; a live refresh may bring fewer buckets than the one picked.
  const index = Math.max(0, Math.min(picked ?? last, last))
  const inspected = active ? buckets[index] : undefined

  return (
    <div className="activity-histogram">
      <div className="activity-histogram__y-axis" aria-hidden="true">
        {ticks.map((tick) => (
          <span key={tick} style={{ bottom: `${(tick / top) * 100}%` }}>
            {numberFormat.format(tick)}
          </span>
        ))}
      </div>
      <div className="activity-histogram__plot">
        <Bars
          buckets={buckets}
          summary={summary}
          ticks={ticks}
          top={top}
          inspected={active ? index : null}
        />
        <Inspector
          buckets={buckets}
          index={index}
          timezone={timezone}
          onPick={(next) => setPicked(Math.max(0, Math.min(next, last)))}
          onActive={setActive}
        />
        {/* What the slider's value text says, for the eyes; the slider itself tells AT. */}
        {inspected && (
          <p className="activity-histogram__readout" aria-hidden="true">
            {formatDateTime(inspected.start, timezone)}:{' '}
            <strong>{eventsText(inspected.events)}</strong>
          </p>
        )}
        <XAxis buckets={buckets} timezone={timezone} />
      </div>
    </div>
  )
}

function Bars({
  buckets,
  summary,
  ticks,
  top,
  inspected,
}: {
  buckets: readonly ActivityBucket[]
  summary: string
  ticks: readonly number[]
  top: number
  inspected: number | null
}) {
  const slot = 100 / Math.max(1, buckets.length)
  const percent = (value: number) => `${value}%`
  return (
    <svg className="activity-histogram__svg" role="img" aria-label={summary}>
      {ticks.map((tick) => {
        const y = percent(100 - (tick / top) * 100)
        return (
          <line key={tick} x1="0" x2="100%" y1={y} y2={y} className="activity-histogram__grid" />
        )
      })}
      {inspected !== null && (
        <rect
          className="activity-histogram__cursor"
          x={percent(inspected * slot)}
          width={percent(slot)}
          y="0"
          height="100%"
        />
      )}
      {buckets.map((bucket, i) => {
        const height = (bucket.events / top) * 100
        return (
          <rect
            key={bucket.start}
            className={`activity-histogram__bar${i === inspected ? ' is-inspected' : ''}`}
            x={percent((i + GAP / 2) * slot)}
            width={percent(slot * (1 - GAP))}
            y={percent(100 - height)}
            height={percent(height)}
          />
        )
      })}
    </svg>
  )
}

/**
 * One tab stop over the plot: arrow keys, Home/End and PageUp/PageDown pick a bucket, and so
 * does the pointer; its value text is the bucket's start and count.
 */
function Inspector({
  buckets,
  index,
  timezone,
  onPick,
  onActive,
}: {
  buckets: readonly ActivityBucket[]
  index: number
  timezone: TimeZoneMode
  onPick: (index: number) => void
  onActive: (active: boolean) => void
}) {
  const bucket = buckets[index]
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const moves: Partial<Record<string, number>> = {
      ArrowLeft: index - 1,
      ArrowDown: index - 1,
      ArrowRight: index + 1,
      ArrowUp: index + 1,
      PageDown: index - PAGE,
      PageUp: index + PAGE,
      Home: 0,
      End: buckets.length - 1,
    }
    const next = moves[event.key]
    if (next === undefined) return
    event.preventDefault()
    onPick(next)
  }
  const onPointerMove = (event: PointerEvent<HTMLDivElement>) => {
    const box = event.currentTarget.getBoundingClientRect()
    if (box.width <= 0) return
    onPick(Math.floor(((event.clientX - box.left) / box.width) * buckets.length))
    onActive(true)
  }
  return (
    <div
      role="slider"
      tabIndex={0}
      className="activity-histogram__inspector"
      aria-label="Time bucket"
      aria-orientation="horizontal"
      aria-valuemin={0}
      aria-valuemax={Math.max(0, buckets.length - 1)}
      aria-valuenow={index}
      aria-valuetext={
        bucket ? `${formatDateTime(bucket.start, timezone)}: ${eventsText(bucket.events)}` : ''
      }
      onKeyDown={onKeyDown}
      onPointerMove={onPointerMove}
      onPointerLeave={(event) => {
        // A focused inspector keeps showing its bucket; the pointer only borrowed it.
        if (document.activeElement !== event.currentTarget) onActive(false)
      }}
      onFocus={() => onActive(true)}
      onBlur={() => onActive(false)}
    />
  )
}

function XAxis({
  buckets,
  timezone,
}: {
  buckets: readonly ActivityBucket[]
  timezone: TimeZoneMode
}) {
  const format = tickFormat(buckets, timezone)
  return (
    <div className="activity-histogram__x-axis" aria-hidden="true">
      {labelIndices(buckets.length).map((i) => {
        const bucket = buckets[i]
        if (!bucket) return null
        const left = ((i + 0.5) / buckets.length) * 100
        return (
          <span key={bucket.start} style={{ left: `${left}%` }}>
            {format(bucket.start)}
          </span>
        )
      })}
    </div>
  )
}
