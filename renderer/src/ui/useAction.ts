/**
 * The lifecycle every user action shares: busy while it runs, its error kept to show until
 * the next try (or clearError), and an outcome the caller can branch on instead of a throw.
 * One hook on top of the query library's mutations, rather than a hand-written busy → try →
 * catch → finally in each component.
 */
import { useMutation } from '@tanstack/react-query'
import { useCallback } from 'react'

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
  const mutation = useMutation<T, unknown, A>({ mutationFn: (args) => perform(...args) })
  const { mutateAsync, reset } = mutation
  const run = useCallback(
    async (...args: A): Promise<ActionOutcome<T>> => {
      try {
        return { ok: true, value: await mutateAsync(args) }
      } catch (error) {
        return { ok: false, error }
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
