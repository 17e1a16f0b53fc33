/**
 * The lifecycle every user action shares: busy while it runs, its error kept to show until
 * the next try (or clearError), and an outcome the caller can branch on instead of a throw.
 * One hook on top of the query library's mutations, rather than a hand-written busy → try →
 * catch → finally in each component.
 */
import { useMutation } from '@tanstack/react-query'
import { useCallback, useRef } from 'react'

export type ActionOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown }

export interface Action<A extends unknown[], T> {
  run(...args: A): Promise<ActionOutcome<T>>
  busy: boolean
  /** Why the last run failed; undefined after a success, a new run or clearError. */
  error: unknown
  clearError(): void
}

export function useAction<A extends unknown[], T>(
  perform: (...args: A) => Promise<T>,
): Action<A, T> {
  // The mutation's variables are a call number, not the arguments: the mutation cache keeps its
  // variables, and an argument may be a secret (a cipher key) that must not stay in memory.
  const calls = useRef(new Map<number, () => Promise<T>>())
  const nextCall = useRef(0)
  const mutation = useMutation<T, unknown, number>({
    mutationFn: (call) => {
      const thunk = calls.current.get(call)
      calls.current.delete(call)
      return thunk ? thunk() : Promise.reject(new Error('useAction: the call was lost'))
    },
  })
  const { mutateAsync, reset } = mutation
  const performRef = useRef(perform)
  performRef.current = perform
  const run = useCallback(
    async (...args: A): Promise<ActionOutcome<T>> => {
      const call = ++nextCall.current
      calls.current.set(call, () => performRef.current(...args))
      try {
        return { ok: true, value: await mutateAsync(call) }
      } catch (error) {
        return { ok: false, error }
      } finally {
        calls.current.delete(call)
      }
    },
    [mutateAsync],
  )
  return {
    run,
    busy: mutation.isPending,
    error: mutation.error ?? undefined,
    clearError: reset,
  }
}
