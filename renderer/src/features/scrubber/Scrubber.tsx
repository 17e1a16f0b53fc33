/**
 * Time travel: a slider over versions first..latest (the store says where a history starts: 0
 * in ours, 1 in Python eventsourcing's). ←/→ step, PageUp/PageDown jump, Home/End go to
 * the ends (native range keys); Play walks forward at the chosen speed. Moving to the latest
 * version means "follow the latest", so live changes keep showing.
 */
import { memo, useEffect, useId, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useSelectionStore } from '../../stores/selectionStore'

export const SPEEDS = [1, 2, 5, 10] as const

export interface ScrubberProps {
  /** The history's first version, as the store reports it. */
  first: number
  latest: number
  /** The version whose state is on screen (it lags the slider while loading). */
  shownVersion: number | null
  loading: boolean
  snapshotVersions?: number[]
}

export function Scrubber({
  first,
  latest,
  shownVersion,
  loading,
  snapshotVersions = [],
}: ScrubberProps) {
  const ids = useId()
  const { version, aggregateId, setVersionWithin, setVersion } = useSelectionStore(
    useShallow((s) => ({
      version: s.version,
      aggregateId: s.aggregateId,
      setVersionWithin: s.setVersionWithin,
      setVersion: s.setVersion,
    })),
  )
  const [playing, setPlaying] = useState(false)
  const [speed, setSpeed] = useState<number>(2)
  const selected = version ?? latest
  const min = Math.max(0, Math.min(first, latest))
  const max = Math.max(min, latest)

  // A different aggregate stops playback.
  useEffect(() => setPlaying(false), [aggregateId])

  useEffect(() => {
    if (!playing) return
    const timer = setInterval(() => {
      const state = useSelectionStore.getState()
      const current = state.version ?? latest
      if (current >= latest) {
        setPlaying(false)
        return
      }
      state.setVersionWithin(current + 1, latest)
    }, 1000 / speed)
    return () => clearInterval(timer)
  }, [playing, speed, latest])

  const togglePlay = () => {
    if (playing) return setPlaying(false)
    // From the end, play starts again at the beginning.
    if (selected >= latest) setVersion(min)
    setPlaying(true)
  }

  return (
    <div className="scrubber" role="group" aria-label="Time travel">
      <div className="scrubber-buttons">
        <button
          type="button"
          className="btn btn-icon"
          aria-label="Previous version"
          title="Previous version (←)"
          disabled={selected <= min}
          onClick={() => {
            setPlaying(false)
            setVersionWithin(Math.max(min, selected - 1), latest)
          }}
        >
          <StepIcon direction="back" />
        </button>
        <button
          type="button"
          className="btn btn-icon btn-play"
          aria-label={playing ? 'Pause' : 'Play'}
          onClick={togglePlay}
          disabled={latest <= min}
        >
          <PlayIcon playing={playing} />
        </button>
        <button
          type="button"
          className="btn btn-icon"
          aria-label="Next version"
          title="Next version (→)"
          disabled={selected >= latest}
          onClick={() => {
            setPlaying(false)
            setVersionWithin(selected + 1, latest)
          }}
        >
          <StepIcon direction="forward" />
        </button>
      </div>

      <div className="scrubber-track">
        <input
          id={`${ids}-slider`}
          type="range"
          className="range"
          min={min}
          max={max}
          step={1}
          value={Math.max(min, Math.min(selected, max))}
          aria-label="Version"
          aria-valuetext={`Version ${selected} of ${latest}`}
          onChange={(e) => {
            setPlaying(false)
            setVersionWithin(Number(e.target.value), latest)
          }}
          disabled={latest < 0}
          style={{
            ['--fill' as string]: `${percent(Math.max(min, Math.min(selected, max)), min, max)}%`,
          }}
        />
        <SnapshotMarkers versions={snapshotVersions} min={min} max={max} />
      </div>

      <SpeedSelect speed={speed} onChange={setSpeed} />

      <div className="scrubber-status" role="status" aria-live="polite">
        {shownVersion === null ? (
          <span className="skeleton skeleton-text" style={{ width: '9rem' }} />
        ) : (
          <span>
            as of version <strong>{shownVersion}</strong> of {latest}
          </span>
        )}
        <span className={`spinner spinner-sm${loading ? '' : ' is-idle'}`} aria-hidden="true" />
      </div>
      <button
        type="button"
        className="btn btn-sm"
        onClick={() => {
          setPlaying(false)
          setVersion(null)
        }}
        disabled={version === null}
        aria-label="Jump to latest version"
      >
        Latest
      </button>
    </div>
  )
}

/**
 * One step, not skip-to-start/end: a single chevron. The bar-and-triangle glyph promised a jump
 * to the first or last version, which Previous/Next do not do (Latest does).
 */
function StepIcon({ direction }: { direction: 'back' | 'forward' }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path
        d={direction === 'back' ? 'M10.5 3 5.5 8l5 5' : 'M5.5 3l5 5-5 5'}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  )
}

function PlayIcon({ playing }: { playing: boolean }) {
  return playing ? (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <rect x="3.5" y="2.5" width="3" height="11" rx="0.5" fill="currentColor" />
      <rect x="9.5" y="2.5" width="3" height="11" rx="0.5" fill="currentColor" />
    </svg>
  ) : (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M4 2.5v11l9.5-5.5z" fill="currentColor" />
    </svg>
  )
}

/** Where `v` is on the track, in percent of its length. */
const percent = (v: number, min: number, max: number) =>
  max === min ? 0 : ((v - min) / (max - min)) * 100

/** Memoised, as the markers are: neither follows the slider's steps (issue 10). */
const SpeedSelect = memo(function SpeedSelect({
  speed,
  onChange,
}: {
  speed: number
  onChange: (speed: number) => void
}) {
  return (
    <label className="inline-field scrubber-speed">
      <span className="inline-label">Speed</span>
      <select
        className="select select-sm"
        value={speed}
        onChange={(e) => onChange(Number(e.target.value))}
        aria-label="Playback speed"
        title="Versions per second"
      >
        {SPEEDS.map((s) => (
          <option key={s} value={s}>
            {s}×
          </option>
        ))}
      </select>
    </label>
  )
})

/** The snapshot versions as ticks on the track (decoration: the timeline lists them). */
const SnapshotMarkers = memo(function SnapshotMarkers({
  versions,
  min,
  max,
}: {
  versions: number[]
  min: number
  max: number
}) {
  // Beyond 400 the ticks would merge into a bar.
  const shown =
    max > min && versions.length <= 400 ? versions.filter((v) => v >= min && v <= max) : []
  return (
    <div className="scrubber-markers" aria-hidden="true">
      {shown.map((v) => (
        <span
          key={v}
          className="scrubber-marker"
          style={{ left: `${percent(v, min, max)}%` }}
          title={`Snapshot at v${v}`}
        />
      ))}
    </div>
  )
})
