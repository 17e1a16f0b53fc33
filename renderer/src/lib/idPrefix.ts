/**
 * How the list's id filter reads what is typed. Eventscope's stores name aggregates by UUID: a
 * prefix is hex digits and dashes, sent in lower case. A Python store may have text ids
 * (ORIGINATOR_ID_TYPE=text): there a prefix is any text, matched as typed, case and all.
 */
import { MAX_AGGREGATE_ID_LENGTH } from '../../../shared/contractBasics'

export interface IdPrefixRule {
  /** Whether an id could start with it (otherwise nothing is asked and `problem` is shown). */
  valid(prefix: string): boolean
  /** What is sent as the request's idPrefix. */
  sent(prefix: string): string
  readonly problem: string
}

const UUID_PREFIX: IdPrefixRule = {
  valid: (prefix) => /^[0-9a-fA-F-]*$/.test(prefix) && prefix.length <= 36,
  sent: (prefix) => prefix.toLowerCase(),
  problem: 'An id prefix is hex digits and dashes.',
}

const TEXT_PREFIX: IdPrefixRule = {
  valid: (prefix) => prefix.length <= MAX_AGGREGATE_ID_LENGTH,
  sent: (prefix) => prefix,
  problem: `An id prefix has at most ${MAX_AGGREGATE_ID_LENGTH} characters.`,
}

/** The rule for a connection of this kind (Python stores: text ids). */
export function idPrefixRule(kind: string | undefined): IdPrefixRule {
  return kind === 'python-sqlite' || kind === 'python-postgres' ? TEXT_PREFIX : UUID_PREFIX
}
