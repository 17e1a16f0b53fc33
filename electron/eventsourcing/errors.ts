/**
 * Errors the library raises. Each has a stable `code` so that callers across a process
 * boundary (the explorer's contract) can tell them apart without `instanceof`.
 */
export abstract class EventSourcingError extends Error {
  abstract readonly code: string
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** Storing a version that already exists: someone else saved first. */
export class ConcurrencyError extends EventSourcingError {
  readonly code = 'ConcurrencyError'
  constructor(
    message: string,
    readonly details: {
      originatorId: string
      /** The versions this batch tried to store. */
      attempted: readonly number[]
      /** The newest version the store holds, when the store could tell. */
      actualVersion?: number
    },
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** No such aggregate, or it was discarded (the seed's KeyError). */
export class AggregateNotFound extends EventSourcingError {
  readonly code = 'AggregateNotFound'
  constructor(
    readonly originatorId: string,
    readonly reason: 'missing' | 'discarded' = 'missing',
  ) {
    super(
      reason === 'discarded'
        ? `aggregate ${originatorId} was discarded`
        : `aggregate ${originatorId} not found`,
    )
  }
}

/**
 * What is wrong at a version: `missing` (not stored though later versions or the index say it
 * should be), `unlinked` (does not follow the event before it, or a snapshot does not link to
 * it), `tampered` (contents do not match the hash), `undecodable` (cannot be read at all).
 */
/**
 * What is wrong at a version: `missing` (a version the history needs is not stored), `unlinked`
 * (its hash does not follow the one before), `tampered` (its contents do not match its hash),
 * `undecodable` (it cannot be read), `unlisted` (stored, but no log entry records it).
 */
export type IntegrityProblem = 'missing' | 'unlinked' | 'tampered' | 'undecodable' | 'unlisted'

/** Stored data cannot be trusted: wrong cipher key, damaged bytes, broken hash chain. */
export class DataIntegrityError extends EventSourcingError {
  readonly code = 'DataIntegrityError'
  constructor(
    message: string,
    readonly details: {
      originatorId?: string
      originatorVersion?: number
      problem?: IntegrityProblem
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A stored record names a topic that no class is registered under. */
export class TopicNotFound extends EventSourcingError {
  readonly code = 'TopicNotFound'
  constructor(
    readonly topic: string,
    message = `no class is registered for topic '${topic}'`,
  ) {
    super(message)
  }
}

/** A command on an aggregate that has been discarded. */
export class EntityIsDiscarded extends EventSourcingError {
  readonly code = 'EntityIsDiscarded'
  constructor(readonly originatorId: string) {
    super(`aggregate ${originatorId} is discarded`)
  }
}

/** An event applied to the wrong entity or out of sequence. */
export class OriginatorVersionError extends EventSourcingError {
  readonly code = 'OriginatorVersionError'
}

export class OriginatorIdError extends EventSourcingError {
  readonly code = 'OriginatorIdError'
}

/** The store cannot be reached or refused to work (unreachable cluster, locked file). */
export class StoreUnavailable extends EventSourcingError {
  readonly code = 'StoreUnavailable'
}

/** Settings that cannot work (a cipher key of the wrong length, an unknown store). */
export class ConfigurationError extends EventSourcingError {
  readonly code = 'ConfigurationError'
}

/**
 * A write this application may not make: its store is opened read-only, or its cipher key does
 * not match the store's key check (`reason` says which). Nothing was written.
 */
export class WriteRefused extends EventSourcingError {
  readonly code = 'WriteRefused'
  constructor(
    message: string,
    readonly reason: 'read-only' | 'missing-key' | 'wrong-key' | 'unexpected-key',
  ) {
    super(message)
  }
}

/**
 * A command the domain refuses (e.g. a withdrawal beyond the overdraft limit): nothing was
 * triggered. Raised by an aggregate's own command methods; the message is for the user.
 */
export class DomainError extends EventSourcingError {
  readonly code = 'DomainError'
  constructor(
    message: string,
    /** A stable name of the rule that refused, e.g. 'overdraft-limit'. */
    readonly rule?: string,
  ) {
    super(message)
  }
}

/**
 * A stored event its registered class could not apply in a replay: the class's own code threw
 * (typically a module whose event class changed after these events were stored). Names the
 * event, so that the failure is not a bare TypeError.
 */
export class EventApplyFailed extends EventSourcingError {
  readonly code = 'EventApplyFailed'
}

/** A command that does not exist for its aggregate type, or parameters its schema refuses. */
export class InvalidCommand extends EventSourcingError {
  readonly code = 'InvalidCommand'
  constructor(
    message: string,
    /** Which parameter is wrong, when one is. */
    readonly parameter?: string,
  ) {
    super(message)
  }
}
