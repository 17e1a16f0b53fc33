import type { DiffEntry } from '../../../shared/contract'
import { keyName, SET_MEMBER } from '../../../shared/displayValue'
import { keyText } from '../lib/displayText'
import { formatValue } from '../lib/eventSummary'
import './feature.css'
import './diffList.css'
import { visible } from './VisibleText'

const markers: Record<DiffEntry['kind'], { sign: string; word: string }> = {
  added: { sign: '+', word: 'added' },
  removed: { sign: '−', word: 'removed' },
  changed: { sign: '~', word: 'changed' },
}

/** The aggregate's own bookkeeping (version, timestamps, hash): listed after the domain fields. */
const BOOKKEEPING = new Set([
  '_id',
  '_version',
  '_createdOn',
  '_lastModified',
  '_lastHash',
  '_isDiscarded',
  'id',
  'version',
  'createdOn',
  'lastModified',
])

function isBookkeeping(entry: DiffEntry): boolean {
  const first = entry.path[0]
  return entry.path.length === 1 && typeof first === 'string' && BOOKKEEPING.has(first)
}

/**
 * `examples["1a2b"].id` style path; the root is `(state)`. A Map's key of another kind than a
 * string is written as its value (`byNumber[42]`, not `byNumber["42"]`). A set's member added or
 * removed is `tags (member)`: no index, since a set has none; the row's value is the member.
 */
export function formatPath(path: DiffEntry['path']): string {
  if (path.length === 0) return '(state)'
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`
      if (part === SET_MEMBER) return index === 0 ? '(member)' : ' (member)'
      const key = keyName(part)
      if (key.kind === 'other') return `[${keyText(part, true)}]`
      if (/^[A-Za-z_$][\w$]*$/.test(key.text)) return index === 0 ? key.text : `.${key.text}`
      return `[${JSON.stringify(key.text)}]`
    })
    .join('')
}

/**
 * A readable diff: one row per changed path, with a sign and a word (not colour alone) saying
 * whether the value was added, removed or changed, and the values before → after.
 */
export function DiffList({
  entries,
  label,
  empty = 'No differences.',
}: {
  entries: readonly DiffEntry[]
  label: string
  empty?: string
}) {
  if (entries.length === 0) {
    return empty ? <p className="diff-empty">{empty}</p> : null
  }
  // Stable: domain fields first in their order, then version, timestamps and hash.
  const ordered = [...entries.filter((e) => !isBookkeeping(e)), ...entries.filter(isBookkeeping)]
  return (
    <ul className="diff-list" aria-label={label}>
      {ordered.map((entry, index) => {
        const marker = markers[entry.kind]
        return (
          <li
            key={`${formatPath(entry.path)}-${index}`}
            className={`diff-row diff-row--${entry.kind}${isBookkeeping(entry) ? ' diff-row--bookkeeping' : ''}`}
          >
            <span className="diff-row__sign" aria-hidden="true">
              {marker.sign}
            </span>
            <span className="diff-row__kind">{marker.word}</span>
            <code className="diff-row__path">{visible(formatPath(entry.path))}</code>
            <span className="diff-row__values">
              {entry.kind !== 'added' && (
                <span className="diff-value diff-value--before">
                  <span className="visually-hidden">before: </span>
                  {visible(formatValue(entry.before, 120))}
                </span>
              )}
              {entry.kind === 'changed' && (
                <span className="diff-row__arrow" aria-hidden="true">
                  →
                </span>
              )}
              {entry.kind !== 'removed' && (
                <span className="diff-value diff-value--after">
                  <span className="visually-hidden">after: </span>
                  {visible(formatValue(entry.after, 120))}
                </span>
              )}
            </span>
          </li>
        )
      })}
    </ul>
  )
}
