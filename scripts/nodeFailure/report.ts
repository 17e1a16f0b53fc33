/** The report: the figures as text (ending with the RESULT line) and, with --json, as JSON. */
import { writeFileSync } from 'node:fs'
import type { Node } from './cluster'
import {
  changes,
  CONTENTION,
  errorKinds,
  type Mark,
  marks,
  problems,
  rejectedAfterStore,
  runClock,
  stats,
  swallowed,
} from './ledger'
import { durationS, hotWriters, killAfterS, opts, secs, spreadWriters } from './options'
import type { Verification } from './verify'

/** What the run was: where it wrote and which node it killed. */
export interface RunSetup {
  readonly keyspace: string
  readonly contactPoints: string[]
  readonly victim: Node | undefined
}

// --- the run -----------------------------------------------------------------------------------

export function timeline(): string[] {
  const lines: string[] = []
  const step = 10_000
  const end = Math.max(...marks.map((m) => m.t), runClock.writeStart)
  for (let from = runClock.writeStart; from <= end; from += step) {
    const inside = marks.filter((m) => m.t >= from && m.t < from + step)
    const count = (kind: Mark['kind'], hot?: boolean): number =>
      inside.filter((m) => m.kind === kind && (hot === undefined || m.hot === hot)).length
    const killed =
      runClock.killedAt !== undefined &&
      runClock.killedAt >= from &&
      runClock.killedAt < from + step
        ? '  <- node killed'
        : ''
    lines.push(
      `  ${secs(from - runClock.writeStart).padStart(5)}–${secs(from + step - runClock.writeStart).padEnd(5)} s  ` +
        `acks hot ${String(count('ack', true)).padStart(4)}  spread ${String(count('ack', false)).padStart(4)}  ` +
        `conflicts ${String(count('conflict')).padStart(4)}  errors ${String(count('error')).padStart(3)}${killed}`,
    )
  }
  return lines
}

export function recovery(): Record<string, number | string> {
  if (runClock.killedAt === undefined) return {}
  const k = runClock.killedAt
  const after = marks.filter((m) => m.t >= k)
  const errors = after.filter((m) => m.kind === 'error' && m.error !== CONTENTION)
  const rate = (from: number, to: number): number =>
    marks.filter((m) => m.kind === 'error' && m.error === CONTENTION && m.t >= from && m.t < to)
      .length / Math.max(1, (to - from) / 10_000)
  const end = Math.max(...marks.map((m) => m.t))
  const firstAck = after.find((m) => m.kind === 'ack')
  // Longest time any writer went without an acknowledgement, across the kill.
  let longest = 0
  let who = ''
  for (const writer of new Set(marks.map((m) => m.writer))) {
    const acks = marks.filter((m) => m.writer === writer && m.kind === 'ack').map((m) => m.t)
    const before = acks.filter((t) => t < k).pop()
    const next = acks.find((t) => t >= k)
    if (before !== undefined && next !== undefined && next - before > longest) {
      longest = next - before
      who = writer
    }
  }
  return {
    contentionTimeoutsPer10sBefore: Number(rate(runClock.writeStart, k).toFixed(1)),
    contentionTimeoutsPer10sAfter: Number(rate(k, end).toFixed(1)),
    errorsAfterKill: errors.length,
    lastErrorAfterKillS: errors.length ? Number(secs(errors[errors.length - 1]!.t - k)) : 0,
    firstAckAfterKillS: firstAck ? Number(secs(firstAck.t - k)) : 'none',
    longestWriterStallS: Number(secs(longest)),
    longestWriterStallWho: who,
  }
}

/** The figures of a run whose verification completed (also what --json writes). */
export function buildReport(
  { keyspace, contactPoints, victim }: RunSetup,
  verification: Verification,
): Record<string, unknown> {
  const all = [...changes.values()]
  const acked = all.filter((c) => c.status === 'acked')
  const inDoubt = all.filter((c) => c.status === 'in-doubt')
  return {
    keyspace,
    contactPoints,
    durationS,
    killAfterS: victim ? killAfterS : null,
    killedNode: victim ? `${victim.index} (${victim.address})` : null,
    hotWriters,
    spreadWriters,
    logicalChanges: all.length,
    acknowledged: acked.length,
    acknowledgedDirect: acked.filter((c) => c.how === 'direct').length,
    acknowledgedByReadBack: acked.filter((c) => c.how === 'read-back').length,
    inDoubt: inDoubt.length,
    hotAcknowledged: acked.filter((c) => c.writer.startsWith('hot')).length,
    ...stats,
    errorKinds: Object.fromEntries(errorKinds),
    ...recovery(),
    ...verification.figures,
    rejectedAfterStore,
    swallowed: Object.fromEntries(swallowed),
    failures: [...problems, ...verification.failures],
    warnings: verification.warnings,
  }
}

/** Prints the report and writes the JSON; true if the run passed. */
export function printReport(
  { keyspace, contactPoints, victim }: RunSetup,
  report: Record<string, unknown>,
  verification: Verification | undefined,
): boolean {
  const r = report as Record<string, number | string | null | object>
  const lines = [
    '',
    '=== node failure: report ===',
    `cluster        ${contactPoints.join(', ')}, keyspace ${keyspace}, RF 3, QUORUM/SERIAL`,
    `run            ${durationS} s of writing, ${hotWriters} writers on one aggregate + ${spreadWriters} on many; ` +
      (victim
        ? `node ${victim.index} (${victim.address}) SIGKILLed at ${killAfterS} s`
        : 'no node killed'),
    `saves          ${stats.saves} attempted (save() calls), ${stats.retries} of them retries`,
    `changes        ${r.logicalChanges} logical, ${r.acknowledged} acknowledged ` +
      `(${r.acknowledgedDirect} by save(), ${r.acknowledgedByReadBack} found stored by read-back after an error), ${r.inDoubt} in doubt`,
    `hot aggregate  ${r.hotAcknowledged} acknowledged changes`,
    `conflicts      ${stats.conflicts} ConcurrencyError (reload and retry)`,
    `errors         ${stats.unavailable} StoreUnavailable, ${stats.unmapped} unmapped driver errors, ${stats.loadFailures} failed loads; ` +
      `${stats.readBacks} read-backs; ${stats.storedButSaveRejected} save() rejected after its events were stored; ` +
      `swallowed by insert(): ${stats.confirmFailures} confirm(), ${stats.dropFailures} dropIntent() failures`,
    ...[...errorKinds, ...swallowed]
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `                 ${String(n).padStart(5)} × ${k}`),
  ]
  if (runClock.killedAt !== undefined) {
    lines.push(
      `recovery       first ack ${r.firstAckAfterKillS} s after the kill; ${r.errorsAfterKill} errors other than CAS ` +
        `contention after it, the last ${r.lastErrorAfterKillS} s after it; longest writer stall across it ` +
        `${r.longestWriterStallS} s (${r.longestWriterStallWho}); CAS contention timeouts per 10 s: ` +
        `${r.contentionTimeoutsPer10sBefore} before, ${r.contentionTimeoutsPer10sAfter} after`,
    )
  }
  lines.push('timeline', ...timeline())
  if (verification) {
    const f = verification.figures
    lines.push(
      `stored         ${f.eventsStored} events in ${f.aggregatesStored} aggregates; log ${f.logEntries} entries; ` +
        `index ${f.listed_id} by id, ${f.listed_recent} by recent; countAggregates ${f.countAggregates}; ` +
        `${f.pendingIntentsAtEnd} intents pending at the end; oldest-first log complete after ${f.ascendingLogHeldBackS} s`,
    )
  }
  const failures = (report.failures as string[] | undefined) ?? problems
  const warnings = (report.warnings as string[] | undefined) ?? []
  for (const m of [...new Set(rejectedAfterStore)].slice(0, 5))
    lines.push(`rejected after store: ${m}`)
  for (const w of warnings.slice(0, 20)) lines.push(`warning        ${w}`)
  for (const f of failures.slice(0, 50)) lines.push(`FAILED         ${f}`)
  const ok = failures.length === 0 && verification !== undefined
  lines.push(
    ok
      ? 'RESULT: PASS — every acknowledged change stored exactly once, nothing phantom'
      : `RESULT: FAIL (${failures.length} problem(s))`,
  )
  console.log(lines.join('\n'))
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ ...report, ok }, null, 2) + '\n')
  return ok
}
