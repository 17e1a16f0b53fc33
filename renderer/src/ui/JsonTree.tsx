/**
 * A readable, collapsible JSON tree (ARIA tree pattern). Rendered flat — one row per visible
 * node with aria-level — so keyboard navigation is a walk over an array: ↑/↓ move, → opens or
 * goes to the first child, ← closes or goes to the parent, Home/End, Enter/Space toggle.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import type { JsonValue, StatePath } from '../../../shared/contract'
import { type Children, childrenOf, displayKind, fieldName } from '../../../shared/displayValue'
import { visible } from './VisibleText'
import { formatCount, type TimeZoneMode } from '../lib/format'
import { keyText } from '../lib/displayText'
import { useSelectionStore } from '../stores/selectionStore'
import { TypedLeaf } from './TypedLeaf'

export interface JsonTreeProps {
  value: JsonValue
  /** Accessible name of the tree, e.g. "State". */
  label: string
  /** Levels open at first (default 2); big containers start closed regardless. */
  defaultExpandDepth?: number
  className?: string
  /** A value sent in pages (queries/stateChildren.ts): the children it does not hold yet. */
  paging?: JsonTreePaging
}

/** What the tree needs of a paged value; keys are paths as JSON (pathKey). */
export interface JsonTreePaging {
  /** The child counts of the containers the value does not hold whole. */
  totals: ReadonlyMap<string, number>
  /** Containers with children on their way (null), or the message of a failed request. */
  pending: ReadonlyMap<string, string | null>
  /** Asks for the children of the container at `path` up to `upTo` (exclusive). */
  want(path: StatePath, upTo: number): void
  /** Strings the value holds shortened: their whole lengths, by path as JSON. */
  shortened?: ReadonlyMap<string, number>
}

/** Containers with more children than this start collapsed, and show this many at a time. */
const BIG = 100

interface Row {
  /** Unique among the rows: the keys, each URI-encoded (a key may hold a '/'), under '$'. */
  path: string
  /** The same path as the server names it (numbers index arrays). */
  segments: StatePath
  depth: number
  name: string | null
  value: JsonValue
  container: boolean
  childCount: number
  posinset: number
  setsize: number
  /** A "show more" row for a long container. */
  more?: { parent: string; hidden: number }
  /** A row for children still on their way (message: why they failed to come). */
  pending?: { count: number; message: string | null }
}

/**
 * How many children a value has, counted once per object: a state of tens of thousands of
 * entities is rendered on every scrub step, and listing a big container's entries per row and
 * per render cost more than the rest of the step (issue 10). Values are never mutated.
 */
const childCounts = new WeakMap<object, number>()
function childCountOf(children: Children | undefined): number {
  if (children === undefined) return 0
  if (Array.isArray(children)) return children.length
  let n = childCounts.get(children)
  if (n === undefined) {
    n = Object.keys(children).length
    childCounts.set(children, n)
  }
  return n
}

/** The first `limit` children of a container, as [key, value]. */
function firstEntries(children: Children, limit: number): Array<[string, JsonValue]> {
  if (Array.isArray(children)) return children.slice(0, limit).map((item, i) => [String(i), item])
  const out: Array<[string, JsonValue]> = []
  for (const key of Object.keys(children)) {
    if (out.length >= limit) break
    out.push([key, children[key]!])
  }
  return out
}

const plural = (n: number, word: string, words = `${word}s`) => `${n} ${n === 1 ? word : words}`

/**
 * A container's one-line summary, saying its kind: an array, a Set, a Map, an object or an
 * instance of a type. `n`: its child count (a paged one's real count, beyond what it holds).
 */
function Summary({ value, n }: { value: JsonValue; n: number }) {
  switch (displayKind(value)) {
    case 'array':
      return <span className="json-summary">{n === 0 ? '[]' : `[ ${plural(n, 'item')} ]`}</span>
    case 'set':
      return (
        <span className="json-summary">
          <span className="json-type">Set</span> [ {plural(n, 'item')} ]
        </span>
      )
    case 'map':
      return (
        <span className="json-summary">
          <span className="json-type">Map</span> {`{ ${plural(n, 'entry', 'entries')} }`}
        </span>
      )
    case 'instance': {
      const type = (value as { type: string }).type
      return (
        <span className="json-summary">
          <span className="json-type" title={`An instance of ${type}`}>
            {visible(type)}
          </span>{' '}
          {`{ ${plural(n, 'field')} }`}
        </span>
      )
    }
    default:
      return <span className="json-summary">{n === 0 ? '{}' : `{ ${plural(n, 'key')} }`}</span>
  }
}

/** How a child's key is shown: a field by its name, a Map's key with its kind ("42" or 42). */
function childName(key: string, parent: JsonValue, array: boolean): string {
  if (array) return key
  return displayKind(parent) === 'map' ? keyText(key, true) : fieldName(key)
}

/** Rows, and the children of paged containers they would show but the value does not hold. */
interface Flat {
  rows: Row[]
  needs: Array<{ path: StatePath; upTo: number }>
}

/** The visible rows, depth first: the open containers' children, up to `shown` of a long one. */
function flatten(
  value: JsonValue,
  isOpen: (path: string, depth: number, childCount: number) => boolean,
  shown: Record<string, number>,
  paging: JsonTreePaging | undefined,
): Flat {
  const out: Row[] = []
  const needs: Flat['needs'] = []
  const blank = { name: null, value: null, container: false, childCount: 0 }
  const walk = (
    v: JsonValue,
    path: string,
    segments: StatePath,
    depth: number,
    name: string | null,
    posinset: number,
    setsize: number,
  ) => {
    const children = childrenOf(v)
    const container = children !== undefined
    const held = childCountOf(children)
    // Only containers are looked up: their paths are JSON-encoded once each.
    const key = container && paging ? JSON.stringify(segments) : ''
    const childCount = (container && paging?.totals.get(key)) || held
    out.push({ path, segments, depth, name, value: v, container, childCount, posinset, setsize })
    if (!children || !isOpen(path, depth, childCount)) return
    const limit = shown[path] ?? BIG
    const array = Array.isArray(children)
    firstEntries(children, limit).forEach(([k, child], i) =>
      walk(
        child,
        `${path}/${encodeURIComponent(k)}`,
        [...segments, array ? i : k],
        depth + 1,
        childName(k, v, array),
        i + 1,
        childCount,
      ),
    )
    const visibleCount = Math.min(limit, childCount)
    if (visibleCount > held && paging) {
      needs.push({ path: segments, upTo: visibleCount })
      out.push({
        ...blank,
        path: `${path}/…pending`,
        segments,
        depth: depth + 1,
        posinset: held + 1,
        setsize: childCount,
        pending: { count: visibleCount - held, message: paging.pending.get(key) ?? null },
      })
    }
    if (childCount > limit) {
      out.push({
        ...blank,
        path: `${path}/…more`,
        segments,
        depth: depth + 1,
        posinset: limit + 1,
        setsize: childCount,
        more: { parent: path, hidden: childCount - limit },
      })
    }
  }
  walk(value, '$', [], 0, null, 1, 1)
  return { rows: out, needs }
}

export function JsonTree({
  value,
  label,
  defaultExpandDepth = 2,
  className,
  paging,
}: JsonTreeProps) {
  // Paths the user toggled away from the default, and how many children long lists show.
  const [toggled, setToggled] = useState<ReadonlySet<string>>(() => new Set())
  const [shown, setShown] = useState<Record<string, number>>({})
  const [focused, setFocused] = useState<string>('$')
  const timezone = useSelectionStore((s) => s.timezone)
  const rowRefs = useRef(new Map<string, HTMLDivElement>())

  const isOpen = useCallback(
    (path: string, depth: number, childCount: number) => {
      const byDefault = depth < defaultExpandDepth && childCount <= BIG
      return toggled.has(path) ? !byDefault : byDefault
    },
    [toggled, defaultExpandDepth],
  )

  const { rows, needs } = useMemo(
    () => flatten(value, isOpen, shown, paging),
    [value, isOpen, shown, paging],
  )
  // The children shown but not held are asked for (once each: `want` keeps the largest).
  const want = paging?.want
  useEffect(() => {
    for (const need of needs) want?.(need.path, need.upTo)
  }, [needs, want])

  const toggle = (path: string) =>
    setToggled((prev) => {
      const next = new Set(prev)
      if (next.has(path)) next.delete(path)
      else next.add(path)
      return next
    })

  // A "show more" row adds five pages of its parent's children.
  const showMore = (parent: string) =>
    setShown((s) => ({ ...s, [parent]: (s[parent] ?? BIG) + BIG * 5 }))

  const focusRow = (path: string) => {
    setFocused(path)
    rowRefs.current.get(path)?.focus()
  }

  const activeIndex = Math.max(
    0,
    rows.findIndex((r) => r.path === focused),
  )

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[activeIndex]
    if (!row) return
    const go = (i: number) => {
      const target = rows[Math.max(0, Math.min(rows.length - 1, i))]
      if (target) focusRow(target.path)
    }
    const open = row.container && isOpen(row.path, row.depth, row.childCount)
    switch (event.key) {
      case 'ArrowDown':
        go(activeIndex + 1)
        break
      case 'ArrowUp':
        go(activeIndex - 1)
        break
      case 'Home':
        go(0)
        break
      case 'End':
        go(rows.length - 1)
        break
      case 'ArrowRight':
        if (row.container && row.childCount > 0 && !open) toggle(row.path)
        else if (open) go(activeIndex + 1)
        else return
        break
      case 'ArrowLeft': {
        if (open) toggle(row.path)
        else {
          const parent = row.path.slice(0, row.path.lastIndexOf('/'))
          if (parent) focusRow(parent)
          else return
        }
        break
      }
      case 'Enter':
      case ' ':
        if (row.more) showMore(row.more.parent)
        else if (row.container && row.childCount > 0) toggle(row.path)
        else return
        break
      default:
        return
    }
    event.preventDefault()
  }

  return (
    // The items are the focusable parts (one tab stop); the tree handles their keys.
    // eslint-disable-next-line jsx-a11y-x/interactive-supports-focus
    <div
      role="tree"
      aria-label={label}
      className={`json-tree ${className ?? ''}`}
      onKeyDown={onKeyDown}
    >
      {rows.map((row, index) => {
        const open = row.container && isOpen(row.path, row.depth, row.childCount)
        const expandable = row.container && row.childCount > 0
        return (
          // Keys reach the tree's handler from the focused item.
          // eslint-disable-next-line jsx-a11y-x/click-events-have-key-events
          <div
            key={row.path}
            ref={(el) => keepRow(rowRefs.current, row.path, el)}
            role="treeitem"
            aria-level={row.depth + 1}
            aria-posinset={row.posinset}
            aria-setsize={row.setsize}
            aria-expanded={expandable ? open : undefined}
            // Selection follows focus: the active item is the selected one.
            aria-selected={index === activeIndex}
            tabIndex={index === activeIndex ? 0 : -1}
            className={`json-row${index === activeIndex ? ' is-active' : ''}`}
            style={{
              paddingInlineStart: `calc(${row.depth} * var(--json-indent, 1.25rem) + 0.25rem)`,
            }}
            onFocus={() => setFocused(row.path)}
            onClick={(e) => {
              e.stopPropagation()
              setFocused(row.path)
              if (row.more) showMore(row.more.parent)
              else if (expandable) toggle(row.path)
            }}
          >
            <span className="json-caret" aria-hidden="true">
              {expandable ? (open ? '▾' : '▸') : ''}
            </span>
            <RowContent row={row} timezone={timezone} shortened={paging?.shortened} />
          </div>
        )
      })}
    </div>
  )
}

/** Keeps each mounted row's element by path, so keys can move focus to it. */
function keepRow(rows: Map<string, HTMLDivElement>, path: string, el: HTMLDivElement | null) {
  if (el) rows.set(path, el)
  else rows.delete(path)
}

/** One inline run, so the item's accessible name reads `key: value`. */
function RowContent({
  row,
  timezone,
  shortened,
}: {
  row: Row
  timezone: TimeZoneMode
  shortened: ReadonlyMap<string, number> | undefined
}) {
  return (
    <span className="json-content">
      {row.pending ? (
        <span className="json-more" aria-live="polite">
          {row.pending.message === null
            ? `Loading ${formatCount(row.pending.count)} more…`
            : `Could not load ${formatCount(row.pending.count)} more: ${row.pending.message}`}
        </span>
      ) : row.more ? (
        <span className="json-more">
          Show {formatCount(Math.min(row.more.hidden, BIG * 5))} more of{' '}
          {formatCount(row.more.hidden)} hidden
        </span>
      ) : (
        <>
          {row.name !== null && (
            <>
              <span className="json-key">{visible(row.name)}</span>
              <span className="json-colon">: </span>
            </>
          )}
          {row.container ? (
            <Summary value={row.value} n={row.childCount} />
          ) : (
            <TypedLeaf
              value={row.value}
              timezone={timezone}
              wholeLength={
                shortened?.size ? shortened.get(JSON.stringify(row.segments)) : undefined
              }
            />
          )}
        </>
      )}
    </span>
  )
}
