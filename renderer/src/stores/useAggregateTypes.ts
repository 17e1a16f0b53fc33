/**
 * The registered aggregate types (listAggregateTypes, kept in the aggregates store): loaded on
 * first use, and how a topic is named for people.
 */
import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AggregateTypeDescriptor } from '../../../shared/contract'
import { useAggregatesStore } from './aggregatesStore'

export function useAggregateTypes(): { types: AggregateTypeDescriptor[]; typesLoaded: boolean } {
  const state = useAggregatesStore(
    useShallow((s) => ({ types: s.types, typesLoaded: s.typesLoaded })),
  )
  useEffect(() => {
    if (!state.typesLoaded) void useAggregatesStore.getState().loadTypes()
  }, [state.typesLoaded])
  return state
}

export function findType(
  types: readonly AggregateTypeDescriptor[],
  topic: string,
): AggregateTypeDescriptor | undefined {
  return types.find((type) => type.topic === topic)
}

/**
 * A topic for people: the display name when the type is registered; else the topic itself,
 * `unregistered` once the types are known (not before, so nothing flashes a false marker).
 */
export function describeTopic(
  types: readonly AggregateTypeDescriptor[],
  typesLoaded: boolean,
  topic: string,
): { name: string; unregistered: boolean } {
  const type = findType(types, topic)
  return type
    ? { name: type.displayName, unregistered: false }
    : { name: topic, unregistered: typesLoaded }
}
