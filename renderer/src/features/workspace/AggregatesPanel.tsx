/**
 * The left column: filters, the total, and a virtualised, infinitely paged list of aggregates.
 * The total counts every aggregate in the store (the filters do not narrow it), so a filtered
 * list says how many rows match so far next to it. Where the count comes after the rows (a
 * Python store), the heading says "counting…" until it arrives.
 */
import { useEffect, useId, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { NewAggregateButton } from '../commands/NewAggregateButton'
import { SeedButton } from '../tasks/SeedButton'
import { VerifyStoreButton } from '../verify/VerifyStoreButton'
import { ListHeading } from '../../ui/ListHeading'
import { ReadOnlyNotice } from '../../ui/ReadOnlyNotice'
import { WRITE_BLOCK_NOTICE_ID, useWriteBlock } from '../../stores/useWriteBlock'
import { formatCount } from '../../lib/format'
import { idPrefixRule } from '../../lib/idPrefix'
import { useConnectionInfo } from '../../queries/connection'
import { useAggregateListStore, type AggregateOrder } from '../../stores/aggregateListStore'
import { useAggregateList, useAggregateTypes } from '../../queries/aggregates'
import { AggregateList } from '../aggregates/AggregateList'
import { SearchIcon } from '../../ui/icons'
import { revealInvisible } from '../../ui/VisibleText'

/** The whole store's count, or what is known of it: counting takes a while on some stores. */
function inAll(total: number | undefined, failed: boolean): string {
  if (total !== undefined) return `${formatCount(total)} in all`
  return failed ? 'could not count them all' : 'counting…'
}

/** Short enough that the filtered rows arrive within 150 ms of the last keystroke. */
const PREFIX_DEBOUNCE_MS = 80

export function AggregatesPanel() {
  const ids = useId()
  const writeBlock = useWriteBlock()
  const { idPrefix, type, order, stale, setIdPrefix, setType, setOrder } = useAggregateListStore(
    useShallow((s) => ({
      idPrefix: s.idPrefix,
      type: s.type,
      order: s.order,
      stale: s.stale,
      setIdPrefix: s.setIdPrefix,
      setType: s.setType,
      setOrder: s.setOrder,
    })),
  )
  const { types } = useAggregateTypes()
  const { items, total, countFailed, hasMore: more, loaded, loading, refresh } = useAggregateList()
  const shown = items.length
  const [prefix, setPrefix] = useState(idPrefix)
  const prefixRule = idPrefixRule(useConnectionInfo()?.kind)
  const prefixInvalid = !prefixRule.valid(prefix)
  const filtered = idPrefix !== '' || type !== ''

  useEffect(() => {
    if (prefixInvalid) return
    const t = setTimeout(() => setIdPrefix(prefix.trim()), PREFIX_DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [prefix, prefixInvalid, setIdPrefix])

  return (
    <section className="aggregates-panel" aria-labelledby={`${ids}-title`}>
      <div className="panel-toolbar">
        <ListHeading
          id={`${ids}-title`}
          title="Aggregates"
          count={
            !loaded ? (
              <span className="skeleton skeleton-text" style={{ width: '5rem' }} />
            ) : filtered ? (
              `${formatCount(shown)}${more ? '+' : ''} matching · ${inAll(total, countFailed)}`
            ) : total === undefined ? (
              `${formatCount(shown)}${more ? '+' : ''} shown · ${inAll(total, countFailed)}`
            ) : (
              `${formatCount(total)} ${total === 1 ? 'aggregate' : 'aggregates'}`
            )
          }
        />
        {/* Their own row: next to the title and count they crowded a 380px column. */}
        <div className="toolbar-actions">
          <SeedButton />
          <NewAggregateButton />
          <VerifyStoreButton />
        </div>
        {writeBlock !== null && <ReadOnlyNotice id={WRITE_BLOCK_NOTICE_ID} reason={writeBlock} />}
        <div className="toolbar-row">
          <div className="search-field">
            <label htmlFor={`${ids}-prefix`} className="visually-hidden">
              Filter by id prefix
            </label>
            <SearchIcon />
            <input
              id={`${ids}-prefix`}
              className="input mono"
              type="search"
              placeholder="Filter by id prefix"
              value={prefix}
              onChange={(e) => setPrefix(e.target.value)}
              aria-invalid={prefixInvalid || undefined}
              aria-describedby={prefixInvalid ? `${ids}-prefix-error` : undefined}
              spellCheck={false}
              autoComplete="off"
              maxLength={36}
            />
          </div>
        </div>
        {prefixInvalid && (
          <p id={`${ids}-prefix-error`} className="field-error">
            {prefixRule.problem}
          </p>
        )}
        <div className="toolbar-row toolbar-selects">
          <select
            className="select"
            value={type}
            onChange={(e) => setType(e.target.value)}
            aria-label="Aggregate type"
          >
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t.topic} value={t.topic} title={revealInvisible(t.topic)}>
                {revealInvisible(t.displayName)}
              </option>
            ))}
          </select>
          <select
            className="select"
            value={order}
            onChange={(e) => setOrder(e.target.value as AggregateOrder)}
            aria-label="Order"
          >
            <option value="recent">Most recent first</option>
            <option value="id">By id</option>
          </select>
        </div>
        {stale && (
          <button
            type="button"
            className="btn btn-sm stale-button"
            onClick={refresh}
            disabled={loading !== null}
          >
            New changes — refresh
          </button>
        )}
      </div>
      <AggregateList />
    </section>
  )
}
