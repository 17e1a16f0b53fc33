import { useEffect, useLayoutEffect, useRef } from 'react'
import { useApi } from '../service'
import type { LogEntryDto } from '../../../shared/contract'

/**
 * Calls `onChange` when new batches are stored (for one aggregate, or any when `aggregateId` is
 * undefined), at most once per `throttleMs`: the first change is reported at once, later ones
 * in the window are folded into one trailing call so a seed run does not flood the server.
 */
export function useLiveChanges(
  aggregateId: string | undefined,
  onChange: (entries: LogEntryDto[]) => void,
  throttleMs = 1000,
): void {
  const api = useApi()
  const callback = useRef(onChange)
  useLayoutEffect(() => {
    callback.current = onChange
  })

  useEffect(() => {
    let last = 0
    let timer: number | undefined
    let queued: LogEntryDto[] = []
    const flush = () => {
      timer = undefined
      last = Date.now()
      const entries = queued
      queued = []
      callback.current(entries)
    }
    const unsubscribe = api.subscribe('changes', ({ entries }) => {
      const relevant =
        aggregateId === undefined
          ? entries
          : entries.filter((entry) => entry.originatorId === aggregateId)
      if (relevant.length === 0) return
      queued.push(...relevant)
      if (timer !== undefined) return
      const wait = last + throttleMs - Date.now()
      if (wait <= 0) flush()
      else timer = window.setTimeout(flush, wait)
    })
    return () => {
      unsubscribe()
      if (timer !== undefined) window.clearTimeout(timer)
    }
  }, [api, aggregateId, throttleMs])
}
