/**
 * Lists stored by column (the transcoder's `columns` encoding, used for snapshots). A large
 * state is mostly collections of like values: child entities of one class with the same
 * fields, ids, dates. Stored one object per element, each entity is three or four JSON objects
 * (the instance tag, its fields, a tagged id) that JSON.parse builds and the revive walks and
 * replaces; stored by column, the same list is a few arrays of strings and numbers. On the
 * demo's largest snapshot (20,000 entities, 3.1 MB of JSON) parse and revive went from about
 * 67 ms to 20 ms (docs/performance-log.md).
 *
 * Two tags, both decoding to an array (so they may stand wherever an array is stored):
 * - `{ _t_: 'texts', _c_: kind, _v_: [text, …] }`: values of one text kind (date, uuid, bigint,
 *   bytes), each as its text;
 * - `{ _t_: 'rows', _c_?: topic, _k_: [field, …], _v_: [column, …], _a_?: [absent, …] }`:
 *   objects of one kind, plain ones (no `_c_`) or instances of the class stored under `_c_`,
 *   whose fields all keep one order; column j holds field j of every object, itself a stored
 *   array (so a column of ids is a `texts`, a column of entities a nested `rows`). Where some
 *   objects lack some fields (optional ones), `_a_` holds for each column 0 or the indexes of
 *   the objects without that field, and the column only the others' values.
 * And a map may be `{ _t_: 'map', _k_: keys, _v_: values }`, two stored arrays.
 */
import { DataIntegrityError } from '../errors'
import { type TextKind, UnregisteredValue, valueFromText, valueKind } from '../domain/valueTypes'

/** Below this many elements a list is stored as it always was: the tags would cost more. */
export const MIN_COLUMN_ROWS = 8

/** The kinds a `texts` list may hold (a finite number is JSON already). */
const LIST_TEXT_KINDS: ReadonlySet<string> = new Set<TextKind>(['date', 'uuid', 'bigint', 'bytes'])

/** How a list can be stored by column, if it can. */
export type ColumnShape =
  | { readonly kind: 'texts'; readonly textKind: TextKind }
  | {
      readonly kind: 'rows'
      /** An instance's class prototype, or undefined for plain objects. */
      readonly instanceOf: object | undefined
      /** Every element's fields in one order (each element's own order is a part of it). */
      readonly keys: readonly string[]
      /** Whether some element lacks some of the fields (optional fields). */
      readonly sparse: boolean
    }

/**
 * The column shape of `list`, or undefined when its elements differ (kinds, classes, fields in
 * an order no one list of fields keeps), are too few, or would be stored otherwise one by one:
 * an instance of no registered class is left to the element encoding (an UnregisteredValue
 * keeps its own topic), as is an object with a `__proto__` field, or a list with no field.
 */
export function columnShape(list: readonly unknown[]): ColumnShape | undefined {
  if (list.length < MIN_COLUMN_ROWS) return undefined
  const first = list[0]
  const kind = valueKind(first)
  if (LIST_TEXT_KINDS.has(kind)) {
    for (let i = 1; i < list.length; i++) if (valueKind(list[i]) !== kind) return undefined
    return { kind: 'texts', textKind: kind as TextKind }
  }
  if (kind !== 'object' && kind !== 'instance') return undefined
  if (first instanceof UnregisteredValue) return undefined
  const proto = Object.getPrototypeOf(first) as object | null
  const keys: string[] = []
  const indexOf = new Map<string, number>()
  let sparse = false
  for (let i = 0; i < list.length; i++) {
    const element = list[i]
    if (
      typeof element !== 'object' ||
      element === null ||
      Array.isArray(element) ||
      Object.getPrototypeOf(element) !== proto
    )
      return undefined
    const record = element as Record<string, unknown>
    // Most lists: every element has the fields of the first, in its order.
    if (i > 0 && sameDefinedKeys(record, keys)) continue
    let last = -1
    let count = 0
    for (const key of Object.keys(record)) {
      if (record[key] === undefined) continue
      if (key === '__proto__') return undefined
      let index = indexOf.get(key)
      if (index === undefined) {
        // A field the elements before this one lack.
        if (i > 0) sparse = true
        index = keys.length
        keys.push(key)
        indexOf.set(key, index)
      }
      if (index <= last) return undefined
      last = index
      count++
    }
    if (count < keys.length) sparse = true
  }
  if (keys.length === 0) return undefined
  const instanceOf = kind === 'instance' ? (proto ?? undefined) : undefined
  return { kind: 'rows', instanceOf, keys, sparse }
}

function sameDefinedKeys(value: Record<string, unknown>, keys: readonly string[]): boolean {
  let n = 0
  for (const key of Object.keys(value)) {
    if (value[key] === undefined) continue
    if (keys[n] !== key) return false
    n++
  }
  return n === keys.length
}

/**
 * Field `key` of a sparse list's elements: the values of those that have it (an own enumerable
 * field, not undefined), and the indexes of those that do not (0 when none lacks it).
 */
export function sparseColumnOf(
  list: readonly unknown[],
  key: string,
): { values: unknown[]; absent: number[] | 0 } {
  const values: unknown[] = []
  const absent: number[] = []
  for (let i = 0; i < list.length; i++) {
    const element = list[i] as Record<string, unknown>
    const value = Object.prototype.propertyIsEnumerable.call(element, key)
      ? element[key]
      : undefined
    if (value === undefined) absent.push(i)
    else values.push(value)
  }
  return { values, absent: absent.length === 0 ? 0 : absent }
}

/** Each element's field `key` (a column of the list). */
export function columnOf(list: readonly unknown[], key: string): unknown[] {
  const column = new Array<unknown>(list.length)
  for (let i = 0; i < list.length; i++) column[i] = (list[i] as Record<string, unknown>)[key]
  return column
}

/** A stored `texts` list's values, in place (its texts were parsed into `texts`). */
export function reviveTexts(kind: unknown, texts: unknown): unknown[] {
  if (typeof kind !== 'string' || !LIST_TEXT_KINDS.has(kind))
    throw new DataIntegrityError(`unknown text kind '${String(kind)}' in a stored list`)
  const list = storedArray(texts, 'a texts list')
  const fromText = valueFromText[kind as TextKind]
  for (let i = 0; i < list.length; i++) {
    const text = list[i]
    if (typeof text !== 'string')
      throw new DataIntegrityError(`a stored ${kind} list holds a ${typeof text}`)
    list[i] = fromText(text)
  }
  return list
}

/**
 * How a `rows` list's objects are made: `create` gives each one's target (a plain object, or an
 * instance of the stored class: its fields are then set in their order, a setter of the class
 * running as it does for an object stored alone), `finish` makes the value of a target (an
 * UnregisteredValue of fields set on a plain object).
 */
export interface RowMaker {
  create(): Record<string, unknown>
  finish?(fields: Record<string, unknown>): unknown
}

/**
 * A stored `rows` list's objects, made by `maker` from their columns. `absent` (sparse lists):
 * for each column, 0 or the indexes of the objects without that field, whose column then holds
 * only the others' values.
 */
export function reviveRows(
  keys: unknown,
  columns: unknown,
  absent: unknown,
  maker: RowMaker,
): unknown[] {
  const names = storedArray(keys, 'a rows list’s fields')
  const values = storedArray(columns, 'a rows list’s columns')
  if (names.length === 0 || names.length !== values.length)
    throw new DataIntegrityError(
      `a stored rows list names ${names.length} fields for ${values.length} columns`,
    )
  const seen = new Set<string>()
  for (const name of names) {
    // (Never written: the encoder leaves such objects one by one. Stored, `__proto__` would
    // swap a prototype, and a repeated field would be two columns for one value.)
    if (typeof name !== 'string' || name === '__proto__' || seen.has(name))
      throw new DataIntegrityError(`a stored rows list has the field name ${JSON.stringify(name)}`)
    seen.add(name)
  }
  const cols = values.map((column) => storedArray(column, 'a rows list’s column'))
  // A list with no absent fields is one whose every column lacks none.
  const gaps = absentRows(absent ?? cols.map(() => 0), cols)
  const length = cols[0]!.length + gaps[0]!.length
  const fieldNames = names as string[]
  const out = new Array<unknown>(length)
  const { finish } = maker
  // Per column: the next value to take, and the next absent row to skip.
  const taken = new Array<number>(cols.length).fill(0)
  const skipped = new Array<number>(cols.length).fill(0)
  for (let i = 0; i < length; i++) {
    const target = maker.create()
    for (let j = 0; j < fieldNames.length; j++) {
      const gap = gaps[j]!
      if (gap[skipped[j]!] === i) skipped[j]!++
      else target[fieldNames[j]!] = cols[j]![taken[j]!++]
    }
    out[i] = finish === undefined ? target : finish(target)
  }
  return out
}

/**
 * The absent rows of each column of a sparse `rows` list, checked: one list per column (0 for
 * none), indexes increasing, and every column's values and absent rows adding up to the same
 * number of objects.
 */
function absentRows(absent: unknown, columns: readonly unknown[][]): number[][] {
  const lists = storedArray(absent, 'a rows list’s absent fields')
  if (lists.length !== columns.length)
    throw new DataIntegrityError('a stored rows list has absent fields for other columns')
  let length = -1
  return lists.map((list, j) => {
    const rows = list === 0 ? [] : (storedArray(list, 'a rows list’s absent rows') as number[])
    const total = columns[j]!.length + rows.length
    if (length === -1) length = total
    if (total !== length)
      throw new DataIntegrityError('the columns of a stored rows list differ in length')
    let last = -1
    for (const row of rows) {
      if (!Number.isSafeInteger(row) || row <= last || row >= total)
        throw new DataIntegrityError('a stored rows list has absent rows out of order or range')
      last = row
    }
    return rows
  })
}

/** A stored `{ _k_, _v_ }` map: its keys and values, two stored arrays of one length. */
export function reviveColumnMap(keys: unknown, values: unknown): Map<unknown, unknown> {
  const k = storedArray(keys, 'a map’s keys')
  const v = storedArray(values, 'a map’s values')
  if (k.length !== v.length)
    throw new DataIntegrityError(`a stored map has ${k.length} keys for ${v.length} values`)
  const map = new Map<unknown, unknown>()
  for (let i = 0; i < k.length; i++) map.set(k[i], v[i])
  return map
}

function storedArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new DataIntegrityError(`${what} is not stored as an array`)
  return value
}
