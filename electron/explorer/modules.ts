/**
 * User modules: compiled ES modules that register aggregate types (EVENTSCOPE_MODULES, or a file
 * picked in the desktop app's dialog). Each is imported by file URL and its default export (or a
 * named `register`) is called with the library's public API, so the types it registers land in
 * this process's registry and topics: the module never resolves the library itself. A module
 * that fails is reported (ConnectionInfo.modules), never fatal. Only granted paths load, as for
 * picked SQLite files (sqlitePathPolicy.ts): a renderer cannot make this process run a file by
 * naming it.
 */
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  AggregateTypeDescriptor,
  type AggregateModuleInfo,
  type ResponseOf,
} from '../../shared/contract'
import * as eventsourcing from '../eventsourcing'
import type { AggregateTypeDefinition, AggregateTypeRegistry, Aggregate } from '../eventsourcing'
import { messageOf } from './connection'
import { ApiFailure } from './dispatch'
import { whereInModule } from './moduleErrors'
import { readSetting } from './settings'

/** What a module's register function receives: the library's index, as one object. */
export type EventsourcingApi = typeof eventsourcing

/**
 * A module whose import (a top-level await) or register function has not settled by then is
 * reported as failed, and the app goes on without it.
 */
const MODULE_TIMEOUT_MS = 10_000

/** EVENTSCOPE_MODULES: comma-separated paths, relative ones to the working folder (shared/settings.ts). */
export function parseModuleList(value: string | undefined): string[] {
  return readSetting({ EVENTSCOPE_MODULES: value }, 'modules')
}

export class AggregateModules {
  private readonly granted = new Set<string>()
  private readonly loaded = new Map<string, AggregateModuleInfo>()
  /** Which module registered a topic; the others are built in. */
  private readonly sources = new Map<string, string>()

  constructor(
    private readonly registry: AggregateTypeRegistry = eventsourcing.aggregateTypes,
    private readonly timeoutMs: number = MODULE_TIMEOUT_MS,
  ) {}

  /** Allows `path` to be loaded (named in EVENTSCOPE_MODULES, or chosen in the file dialog). */
  grant(path: string): string {
    const absolute = resolve(path)
    this.granted.add(absolute)
    return absolute
  }

  /** Grants and loads each path in turn; never rejects (failures are in `list()`). */
  async loadAll(paths: readonly string[]): Promise<void> {
    for (const path of paths) await this.load(this.grant(path))
  }

  /** Loads a granted module; a path that was not granted is a ValidationError. */
  async loadGranted(path: string): Promise<AggregateModuleInfo> {
    const absolute = resolve(path)
    if (!this.granted.has(absolute)) {
      throw new ApiFailure({
        code: 'ValidationError',
        message: `${path} may not be loaded: only modules named in EVENTSCOPE_MODULES or chosen with “Load module…” in the desktop app are`,
        details: { parameter: 'path' },
      })
    }
    return this.load(absolute)
  }

  list(): AggregateModuleInfo[] {
    return [...this.loaded.values()]
  }

  sourceOf(topic: string): string {
    return this.sources.get(topic) ?? 'built-in'
  }

  /** Every registered type as the contract describes it, with its source. */
  describeTypes(): ResponseOf<'listAggregateTypes'> {
    // Parsed: a module's definition reaches the renderer only in the contract's shape.
    return this.registry.list().map((type) =>
      AggregateTypeDescriptor.parse({
        ...type.describe(),
        canSeed: type.definition.demo !== undefined,
        source: this.sourceOf(type.topic),
      }),
    )
  }

  private async load(path: string): Promise<AggregateModuleInfo> {
    const before = new Set(this.registry.list().map((t) => t.topic))
    const recorded = new Set<string>()
    const registry = this.registry
    const api: EventsourcingApi = {
      ...eventsourcing,
      registerAggregateType<A extends Aggregate>(definition: AggregateTypeDefinition<A>) {
        const type = registry.register(definition)
        recorded.add(type.topic)
        return type
      },
    }
    let error: string | undefined
    try {
      await register(path, Object.freeze(api), this.timeoutMs)
    } catch (failure) {
      error = messageOf(failure)
    }
    // What it registered before any failure counts too: those types are in the registry now.
    const added = this.registry
      .list()
      .map((t) => t.topic)
      .filter((topic) => !before.has(topic))
    const types = [...new Set([...recorded, ...added])]
    // The first module to register a type is its source (a module loaded again registers no-ops).
    for (const topic of types) if (!this.sources.has(topic)) this.sources.set(topic, path)
    const info: AggregateModuleInfo = {
      path,
      types,
      ...(error === undefined ? {} : { error }),
    }
    this.loaded.set(path, info)
    return info
  }
}

/** Imports the module at `path` and runs its register function with `api`. */
async function register(path: string, api: EventsourcingApi, timeoutMs: number): Promise<void> {
  if (!existsSync(path)) throw new Error(`no such file: ${path}`)
  if (!statSync(path).isFile()) throw new Error(`not a file: ${path}`)
  let module: Record<string, unknown>
  try {
    module = (await within(
      import(/* @vite-ignore */ pathToFileURL(path).href),
      timeoutMs,
    )) as Record<string, unknown>
  } catch (error) {
    throw new Error(`could not be imported: ${located(path, 'import', error)}`, { cause: error })
  }
  const fn =
    typeof module['default'] === 'function'
      ? module['default']
      : typeof module['register'] === 'function'
        ? module['register']
        : undefined
  if (!fn) {
    throw new Error(
      'exports no register function: export default function (api) { api.registerAggregateType({…}) } (or a named `register`)',
    )
  }
  try {
    await within(Promise.resolve((fn as (api: EventsourcingApi) => unknown)(api)), timeoutMs)
  } catch (error) {
    throw new Error(`its register function failed: ${located(path, 'register', error)}`, {
      cause: error,
    })
  }
}

/** The failure's message, and where in the module file it happened when that can be told. */
function located(path: string, phase: 'import' | 'register', error: unknown): string {
  const where = whereInModule(path, phase, error)
  return where === undefined ? messageOf(error) : `${messageOf(error)} (${where})`
}

/** `work`, or a rejection once `ms` have passed (the work itself cannot be stopped). */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        const seconds = ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`
        timer = setTimeout(() => reject(new Error(`it did not finish within ${seconds}`)), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
