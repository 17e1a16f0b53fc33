/**
 * Any JSON value, as aggregate state and event payloads cross the boundary: its type, and the
 * schema that checks it (re-exported by schemas.ts and contract.ts).
 */
import { z } from 'zod'
import { isWellTyped, TYPE_KEY } from './displayValue'

/** Any JSON value: how aggregate state and event payloads cross the boundary. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Deeper than this is not a state anyone reads, and stops a cyclic object from looping. */
const MAX_JSON_DEPTH = 1000

/**
 * Whether `value` is a JSON value: finite numbers, plain objects and arrays of JSON values,
 * nested at most MAX_JSON_DEPTH deep. A loop over an explicit stack, not a recursive zod union:
 * a large aggregate's state (tens of thousands of entities, megabytes) is checked on every
 * answer, and the union cost hundreds of milliseconds there (issue 10).
 */
export function isJsonValue(value: unknown): value is JsonValue {
  return checkJson(value, false)
}

/**
 * Whether `value` is a display value (shared/displayValue.ts): a JSON value whose objects with
 * the key "@" are typed values as the encoding defines them. Checked in the same walk.
 */
export function isDisplayValue(value: unknown): value is JsonValue {
  return checkJson(value, true)
}

function checkJson(value: unknown, typed: boolean): boolean {
  const values: unknown[] = [value]
  const depths: number[] = [0]
  while (values.length > 0) {
    const v = values.pop()
    const depth = depths.pop()!
    switch (typeof v) {
      case 'string':
      case 'boolean':
        continue
      case 'number':
        if (!Number.isFinite(v)) return false
        continue
      case 'object': {
        if (v === null) continue
        if (depth >= MAX_JSON_DEPTH) return false
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            values.push(v[i])
            depths.push(depth + 1)
          }
          continue
        }
        const proto = Object.getPrototypeOf(v) as unknown
        if (proto !== Object.prototype && proto !== null) return false
        if (typed && Object.prototype.hasOwnProperty.call(v, TYPE_KEY)) {
          if (!isWellTyped(v as Record<string, JsonValue>)) return false
        }
        for (const key in v) {
          values.push((v as Record<string, unknown>)[key])
          depths.push(depth + 1)
        }
        continue
      }
      default:
        return false
    }
  }
  return true
}

export const JsonValue: z.ZodType<JsonValue> = z.custom<JsonValue>(isJsonValue, {
  message: 'expected a JSON value (finite numbers, plain objects and arrays)',
})

/**
 * A JSON object, passed on as given. Not `z.record`: that copies the object and leaves out a
 * key "__proto__" (which JSON.parse makes an own key), so a check of its keys downstream (a
 * command's parameters) would never see it and it would pass unnoticed.
 */
type JsonObject = { [key: string]: JsonValue }
export const JsonObject: z.ZodType<JsonObject, JsonObject> = z.custom<JsonObject>(
  (value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value) && isJsonValue(value),
  { message: 'expected a JSON object' },
)

/** A state or payload as the display encoding carries it (shared/displayValue.ts). */
export const DisplayValue: z.ZodType<JsonValue> = z.custom<JsonValue>(isDisplayValue, {
  message: 'expected a display value (JSON whose "@" objects are typed values)',
})
