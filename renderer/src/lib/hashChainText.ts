/**
 * The hash-chain badge's words: exactly what a load (or a Verify whole history) checked,
 * never more. Pure, so the wording is tested without a browser.
 */
import type { HashChainStatus } from '../../../shared/contract'
import { formatDateTime, type TimeZoneMode } from './format'

/** What this load checked, e.g. "snapshot v300 linked, events v301–v350 verified". */
export function checkedText(chain: HashChainStatus): string {
  const checked = chain.checked
  if (!checked) return 'verified'
  if (checked.kind === 'fromCreation') return `events ${range(0, checked.toVersion)} verified`
  const linked = `snapshot v${checked.snapshotVersion} linked`
  return checked.fromVersion > checked.toVersion
    ? `${linked}, no events after it`
    : `${linked}, events ${range(checked.fromVersion, checked.toVersion)} verified`
}

/** The last Verify whole history without a problem, e.g. "whole history verified 12:03". */
export function wholeHistoryText(
  chain: HashChainStatus,
  timezone: TimeZoneMode,
): string | undefined {
  const whole = chain.wholeHistory
  if (!whole) return undefined
  // "2026-11-26 12:03:54 UTC" → "12:03 UTC": the minute is what a reader compares.
  const at = formatDateTime(whole.verifiedAt, timezone)
  const time = `${at.slice(11, 16)}${timezone === 'utc' ? ' UTC' : ''}`
  return `whole history verified ${time} (v0–v${whole.toVersion})`
}

function range(from: number, to: number): string {
  return from === to ? `v${from}` : `v${from}–v${to}`
}
