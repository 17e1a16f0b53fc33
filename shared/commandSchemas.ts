/**
 * The shapes of aggregate types and their commands as the contract carries them (the parameters'
 * JSON Schema subset, descriptors, batches and their results): zod schemas, built on first use
 * as schemas.ts explains; `contract.ts` re-exports them with the others.
 * Pure TypeScript and zod only: no Node, no Electron, no React.
 */
import { z } from 'zod'
import { JsonObject } from './jsonValue'
import { DisplayValue, EventDto, uuid, version } from './schemas'

/**
 * A command's parameters: a subset of JSON Schema (an object of string, number, integer or
 * boolean fields), the same shape the library's registry uses, which refuses any other keyword.
 * The renderer renders it as a form; the main process checks every request against it whatever
 * the form did. Annotations nothing uses (examples, $comment) are left out here.
 */
const fieldBase = {
  title: z.lazy(() => z.string().max(200)),
  description: z.lazy(() => z.string().max(2000).optional()),
}
export const ParameterField = z.lazy(() =>
  z.discriminatedUnion('type', [
    z.object({
      ...fieldBase,
      type: z.literal('string'),
      minLength: z.number().int().min(0).optional(),
      maxLength: z.number().int().min(0).optional(),
      enum: z.array(z.string()).optional(),
      format: z.literal('uuid').optional(),
      /** A JavaScript RegExp (the `u` flag), unanchored; registration refused any that fails. */
      pattern: z.string().optional(),
      default: z.string().optional(),
    }),
    z.object({
      ...fieldBase,
      type: z.enum(['number', 'integer']),
      minimum: z.number().optional(),
      maximum: z.number().optional(),
      exclusiveMinimum: z.number().optional(),
      exclusiveMaximum: z.number().optional(),
      multipleOf: z.number().positive().optional(),
      default: z.number().optional(),
    }),
    z.object({ ...fieldBase, type: z.literal('boolean'), default: z.boolean().optional() }),
  ]),
)
export type ParameterField = z.infer<typeof ParameterField>

export const ParametersSchema = z.lazy(() =>
  z.object({
    type: z.literal('object'),
    properties: z.record(z.string(), ParameterField),
    required: z.array(z.string()).optional(),
  }),
)
export type ParametersSchema = z.infer<typeof ParametersSchema>

/** A command a registered type offers; `create` is the reserved name of its creation. */
export const CommandDescriptor = z.lazy(() =>
  z.object({
    name: z.string(),
    label: z.string(),
    description: z.string().optional(),
    parameters: ParametersSchema,
  }),
)
export type CommandDescriptor = z.infer<typeof CommandDescriptor>

/** A registered aggregate type: its topic, its name for people, its creation and commands. */
export const AggregateTypeDescriptor = z.lazy(() =>
  z.object({
    /** The aggregate class topic stored in the events, e.g. bank#Account. */
    topic: z.string(),
    displayName: z.string(),
    description: z.string().optional(),
    create: CommandDescriptor,
    commands: z.array(CommandDescriptor),
    /** Whether seedDemoData can fill this type. */
    canSeed: z.boolean(),
    /** Where the definition came from: 'built-in', or the module file that registered it. */
    source: z.string(),
  }),
)
export type AggregateTypeDescriptor = z.infer<typeof AggregateTypeDescriptor>

/** One command to run: its name and its parameters (checked against its descriptor). */
export const CommandRequest = z.lazy(() =>
  z
    .object({
      name: z.string().min(1).max(128),
      // Given as sent: a "__proto__" key must reach the check that refuses unknown parameters.
      params: JsonObject.optional(),
    })
    .strict(),
)
export type CommandRequest = z.infer<typeof CommandRequest>

/**
 * Commands for one aggregate, stateless: the aggregate is loaded at `expectedVersion`, the
 * commands run in order, and the events they trigger are stored as one batch only if nothing
 * newer was stored meanwhile (else ConcurrencyError). A new aggregate: no `id`, its `type`,
 * expectedVersion -1, and `create` as the first command.
 */
export const CommandBatch = z.lazy(() =>
  z
    .object({
      id: uuid.optional(),
      type: z.string().min(1).max(256).optional(),
      expectedVersion: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER),
      commands: z.array(CommandRequest).min(1).max(1000),
    })
    .strict()
    .refine((b) => (b.id === undefined ? b.type !== undefined : true), {
      path: ['type'],
      message: 'a new aggregate needs its type',
    })
    .refine((b) => (b.id === undefined ? b.expectedVersion === -1 : b.expectedVersion >= 0), {
      path: ['expectedVersion'],
      message: 'expectedVersion is -1 for a new aggregate and the loaded version otherwise',
    }),
)
export type CommandBatch = z.infer<typeof CommandBatch>

/** What a batch of commands triggers (preview) or stored (execute), and the state after it. */
export const CommandResult = z.lazy(() =>
  z.object({
    id: uuid,
    type: z.string(),
    /** The version the commands ran on (-1 for a new aggregate). */
    expectedVersion: z.number().int().min(-1),
    /** The version after the events (pending for a preview, stored for execute). */
    version,
    events: z.array(EventDto),
    /** The state after the events; null once discarded. */
    state: DisplayValue,
    discarded: z.boolean(),
  }),
)
export type CommandResult = z.infer<typeof CommandResult>
