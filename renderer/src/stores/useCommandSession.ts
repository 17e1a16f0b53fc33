/**
 * One editing session on an aggregate, stateless on the server: the latest version is loaded
 * (getAggregate), commands are staged in the renderer (stagedCommandsStore), each change is
 * previewed (`preview`, debounced), and Save sends them all with `execute` and the version
 * they were loaded at. Used by the Commands panel and by each client of the conflict demo.
 */
import { useCallback, useEffect, useRef, useState } from 'react'
import type {
  AggregateTypeDescriptor,
  AggregateView,
  CommandBatch,
  CommandDescriptor,
  CommandResult,
  JsonValue,
} from '../../../shared/contract'
import { useApi } from '../service'
import { useLiveChanges } from '../lib/useLiveChanges'
import { useQueryClient } from '@tanstack/react-query'
import { keys } from '../queries/keys'
import { useAction } from '../ui/useAction'
import { useSelectionStore } from './selectionStore'
import { EMPTY_SLOT, useStagedCommandsStore, type StagedSlot } from './stagedCommandsStore'
import { findType, useAggregateTypes } from '../queries/aggregates'

export const PREVIEW_DEBOUNCE_MS = 250

/**
 * After a save the views follow the latest version. The pushed `changes` make them stale too;
 * this does not wait for them.
 */
export function useShowSaved(aggregateId: string): () => void {
  const client = useQueryClient()
  return useCallback(() => {
    useSelectionStore.getState().setVersion(null)
    void client.invalidateQueries({ queryKey: keys.aggregateAt(aggregateId, 'latest') })
    void client.invalidateQueries({ queryKey: keys.aggregateLists() })
  }, [client, aggregateId])
}

export interface PreviewState {
  /** Which staged list and version this answer is for (see `signatureOf`). */
  signature: string
  result: CommandResult | null
  error: unknown
}

const NO_PREVIEW: PreviewState = { signature: '', result: null, error: null }

const signatureOf = (slot: StagedSlot) =>
  JSON.stringify([slot.expectedVersion, slot.commands.map((c) => [c.name, c.params])])

const batchOf = (id: string, slot: StagedSlot): CommandBatch => ({
  id,
  expectedVersion: slot.expectedVersion,
  commands: slot.commands.map(({ name, params }) => ({ name, params })),
})

/** Which action last finished, and how: where the focus goes next (see useSessionFocus). */
export interface SettledAction {
  action: 'stage' | 'save' | 'reload' | 'discard' | 'remove'
  ok: boolean
  /** Counts up, so the same action twice is two changes. */
  seq: number
}

export type SaveOutcome = { ok: true; result: CommandResult } | { ok: false; error: unknown }

export interface CommandSession {
  /** The aggregate as last loaded (the latest version then), null until it arrives. */
  view: AggregateView | null
  loadError: unknown
  descriptor: AggregateTypeDescriptor | undefined
  /** Loaded, and no module can run its commands: no descriptor, or definitionLoaded false. */
  unregistered: boolean
  slot: StagedSlot
  /** The newest stored version known (the load, a save, or live changes). */
  storedVersion: number
  preview: PreviewState
  previewPending: boolean
  busy: boolean
  stageError: unknown
  saveError: unknown
  saved: CommandResult | null
  settled: SettledAction | null
  stage(command: CommandDescriptor, params: Record<string, JsonValue>): Promise<boolean>
  remove(key: number): void
  discardStaged(): void
  save(): Promise<SaveOutcome>
  /** Loads the latest version and runs the staged commands on it from now on (they are kept). */
  reloadLatest(): Promise<void>
}

export function useCommandSession(
  aggregateId: string,
  slotKey: string,
  options: { followLive: boolean; onSaved?: (result: CommandResult) => void },
): CommandSession {
  const api = useApi()
  const { types, typesLoaded } = useAggregateTypes()
  const slot = useStagedCommandsStore((s) => s.slots[slotKey]) ?? EMPTY_SLOT
  const [view, setView] = useState<AggregateView | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [storedVersion, setStoredVersion] = useState(-1)
  const [saved, setSaved] = useState<CommandResult | null>(null)
  const [preview, setPreview] = useState<PreviewState>(NO_PREVIEW)
  const [settled, setSettled] = useState<SettledAction | null>(null)
  const settle = (action: SettledAction['action'], ok: boolean) =>
    setSettled((last) => ({ action, ok, seq: (last?.seq ?? 0) + 1 }))
  // Answers for an aggregate or slot that is no longer shown are dropped.
  const current = useRef(`${aggregateId}|${slotKey}`)
  current.current = `${aggregateId}|${slotKey}`
  const onSaved = useRef(options.onSaved)
  onSaved.current = options.onSaved
  const slotNow = useCallback(
    () => useStagedCommandsStore.getState().slots[slotKey] ?? EMPTY_SLOT,
    [slotKey],
  )

  const load = useCallback(
    async (force: boolean) => {
      const asked = `${aggregateId}|${slotKey}`
      try {
        const latest = await api.getAggregate({ id: aggregateId })
        if (current.current !== asked) return
        setView(latest)
        setLoadError(null)
        setStoredVersion((v) => Math.max(v, latest.latestVersion))
        useStagedCommandsStore.getState().load(slotKey, latest.latestVersion, { force })
      } catch (error) {
        if (current.current === asked) setLoadError(error)
      }
    },
    [api, aggregateId, slotKey],
  )

  useEffect(() => {
    setView(null)
    setLoadError(null)
    setStoredVersion(-1)
    setSaved(null)
    setPreview(NO_PREVIEW)
    void load(false)
  }, [load])

  // Others' saves: an idle Commands panel follows them; otherwise the staged commands stay on
  // their version and the panel says a save would be refused.
  useLiveChanges(
    aggregateId,
    (entries) => {
      const newest = Math.max(...entries.map((entry) => entry.toVersion))
      setStoredVersion((v) => Math.max(v, newest))
      if (
        options.followLive &&
        slotNow().commands.length === 0 &&
        newest > slotNow().expectedVersion
      )
        void load(false)
    },
    300,
  )

  const signature = signatureOf(slot)
  useEffect(() => {
    const now = slotNow()
    if (now.commands.length === 0 || now.expectedVersion < 0) {
      setPreview(NO_PREVIEW)
      return
    }
    let active = true
    const timer = setTimeout(() => {
      api.preview(batchOf(aggregateId, now)).then(
        (result) => active && setPreview({ signature, result, error: null }),
        (error: unknown) => active && setPreview({ signature, result: null, error }),
      )
    }, PREVIEW_DEBOUNCE_MS)
    return () => {
      active = false
      clearTimeout(timer)
    }
    // The signature says everything of the slot the preview depends on.
  }, [api, aggregateId, slotNow, signature])

  const stageAction = useAction(
    async (command: CommandDescriptor, params: Record<string, JsonValue>) => {
      const before = slotNow()
      // The rules are checked before the command joins the list: a refused one never does.
      const next = {
        ...before,
        commands: [
          ...before.commands,
          { key: 0, name: command.name, label: command.label, params },
        ],
      }
      const result = await api.preview(batchOf(aggregateId, next))
      useStagedCommandsStore
        .getState()
        .stage(slotKey, { name: command.name, label: command.label, params })
      setPreview({ signature: signatureOf(slotNow()), result, error: null })
    },
  )
  const saveAction = useAction(async () => {
    const now = slotNow()
    if (now.commands.length === 0) throw new Error('nothing is staged')
    const result = await api.execute(batchOf(aggregateId, now))
    useStagedCommandsStore.getState().clear(slotKey, result.version)
    setSaved(result)
    setStoredVersion((v) => Math.max(v, result.version))
    setView((v) =>
      v
        ? {
            ...v,
            version: result.version,
            latestVersion: result.version,
            state: result.state,
            discarded: result.discarded,
          }
        : v,
    )
    onSaved.current?.(result)
    return result
  })
  const reloadAction = useAction(() => load(true))
  const busy = stageAction.busy || saveAction.busy || reloadAction.busy
  /** A new action starts with no earlier outcome on screen. */
  const startAction = () => {
    stageAction.clearError()
    saveAction.clearError()
    setSaved(null)
  }

  const stage = async (command: CommandDescriptor, params: Record<string, JsonValue>) => {
    startAction()
    const outcome = await stageAction.run(command, params)
    settle('stage', outcome.ok)
    return outcome.ok
  }

  const save = async (): Promise<SaveOutcome> => {
    if (slotNow().commands.length === 0) return { ok: false, error: new Error('nothing is staged') }
    startAction()
    const outcome = await saveAction.run()
    settle('save', outcome.ok)
    return outcome.ok ? { ok: true, result: outcome.value } : outcome
  }

  const reloadLatest = async () => {
    startAction()
    await reloadAction.run()
    settle('reload', true)
  }

  const descriptor = view ? findType(types, view.type) : undefined
  return {
    view,
    loadError,
    descriptor,
    unregistered: view !== null && (!view.definitionLoaded || (typesLoaded && !descriptor)),
    slot,
    storedVersion,
    preview,
    previewPending: slot.commands.length > 0 && preview.signature !== signature,
    busy,
    stageError: stageAction.error ?? null,
    saveError: saveAction.error ?? null,
    saved,
    settled,
    stage,
    remove: (key) => {
      stageAction.clearError()
      useStagedCommandsStore.getState().remove(slotKey, key)
      settle('remove', true)
    },
    discardStaged: () => {
      stageAction.clearError()
      saveAction.clearError()
      useStagedCommandsStore.getState().clear(slotKey)
      settle('discard', true)
      if (options.followLive) void load(false)
    },
    save,
    reloadLatest,
  }
}
