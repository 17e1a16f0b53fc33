/**
 * The aggregate types that ship with Eventscope: importing this module registers them (the
 * service imports it). A type added here is listed as 'built-in'; user types come from modules
 * (modules.ts).
 */
import { accountType } from '../account'
import { exampleType } from '../example/exampleAggregateRoot'

export const builtInTypes = [exampleType, accountType]

/** What seedDemoData fills when no type is named. */
export const DEFAULT_SEED_TYPE = exampleType.topic
