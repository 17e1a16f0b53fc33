/**
 * The selected aggregate as of the selected version (getAggregate). Requests are debounced
 * and coalesced: while one is in flight, only the newest wish is sent next, and an answer for
 * another aggregate is dropped, so dragging the slider or playing never floods the service.
 * A replay that takes longer than SLOW_REPLAY_MS (a large aggregate without a near snapshot)
 * appears in the task list with its progress and a Cancel button; once it is a visible task,
 * a newer wish cancels it instead of waiting for it.
 */
import { create } from 'zustand'
import type { AggregateView } from '../../../shared/contract'
import { api } from '../api'
import { cancelTask, ensureProgressSubscription } from '../lib/runTask'
import { newTaskId, useTaskStore } from './taskStore'
import { toUiError, type UiError } from '../ui/errors'

export const VIEW_DEBOUNCE_MS = 80
export const SLOW_REPLAY_MS = 400

interface Wish {
  id: string
  at: number | null
}

interface AggregateViewState {
  view: AggregateView | null
  /** What was last asked for. */
  wanted: Wish | null
  loading: boolean
  error: UiError | null
}

interface AggregateViewActions {
  request(id: string | null, at: number | null, options?: { immediate?: boolean }): void
  reload(): void
  reset(): void
}

const initial: AggregateViewState = { view: null, wanted: null, loading: false, error: null }

const same = (a: Wish | null, b: Wish | null) => a?.id === b?.id && a?.at === b?.at

export const useAggregateViewStore = create<AggregateViewState & AggregateViewActions>()((
  set,
  get,
) => {
  // The store's own bookkeeping, kept in its closure rather than in the module.
  let timer: ReturnType<typeof setTimeout> | null = null
  let inFlight = false
  let again = false
  /** The in-flight replay's task id, once it has become a visible (slow) task. */
  let visibleTask: string | null = null

  async function fire(): Promise<void> {
    timer = null
    const wish = get().wanted
    if (!wish) return
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    again = false
    const taskId = newTaskId('replay')
    const slow = setTimeout(() => {
      ensureProgressSubscription()
      visibleTask = useTaskStore
        .getState()
        .start(
          `Replaying ${wish.id.slice(0, 8)}${wish.at === null ? '' : ` to v${wish.at}`}`,
          taskId,
        )
    }, SLOW_REPLAY_MS)
    try {
      const view = await api.getAggregate({
        id: wish.id,
        ...(wish.at !== null ? { at: wish.at } : {}),
        taskId,
      })
      // A finished replay needs no toast: its result is on screen.
      if (visibleTask === taskId) useTaskStore.getState().dismiss(taskId)
      const now = get().wanted
      // Intermediate versions of the same aggregate are worth showing (playback); others are not.
      if (now && now.id === view.id) set({ view, error: null, loading: !same(now, wish) })
    } catch (error) {
      const uiError = toUiError(error)
      if (visibleTask === taskId) {
        useTaskStore
          .getState()
          .finish(taskId, uiError.code === 'Cancelled' ? 'cancelled' : 'failed', uiError.message)
      }
      if (same(get().wanted, wish)) set({ error: uiError, loading: false })
    } finally {
      clearTimeout(slow)
      if (visibleTask === taskId) visibleTask = null
      inFlight = false
    }
    if (again || !same(get().wanted, wish)) {
      again = false
      if (get().wanted) void fire()
    }
  }

  return {
    ...initial,

    request(id, at, options) {
      if (timer) clearTimeout(timer)
      timer = null
      if (!id) {
        set({ ...initial })
        return
      }
      const wish = { id, at }
      const prev = get()
      // A slow replay the user can see is not worth finishing once something else is wanted.
      if (visibleTask && !same(prev.wanted, wish)) void cancelTask(visibleTask)
      // Another aggregate: drop the old view at once rather than show the wrong one.
      set({
        wanted: wish,
        loading: true,
        error: null,
        ...(prev.view && prev.view.id !== id ? { view: null } : {}),
      })
      if (options?.immediate || !prev.view || prev.view.id !== id) void fire()
      else timer = setTimeout(() => void fire(), VIEW_DEBOUNCE_MS)
    },

    reload() {
      const wish = get().wanted
      if (wish) get().request(wish.id, wish.at, { immediate: true })
    },

    reset() {
      if (timer) clearTimeout(timer)
      timer = null
      inFlight = false
      again = false
      visibleTask = null
      set({ ...initial })
    },
  }
})
