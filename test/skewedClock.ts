/**
 * Preload (`node --import tsx --import ./test/skewedClock.ts …`) that sets this process's clock
 * EVENTSCOPE_CLOCK_OFFSET_MS off true time: `Date.now()` and `new Date()`, which is all the
 * Cassandra driver (timeuuids, write timestamps) and the recorder read. `performance.now()` (elapsed
 * time) is left alone, as a skewed but steady clock would.
 */
const offset = Number(process.env.EVENTSCOPE_CLOCK_OFFSET_MS ?? '0')
if (!Number.isFinite(offset)) throw new Error('EVENTSCOPE_CLOCK_OFFSET_MS must be a number')

const RealDate = Date
const realNow = RealDate.now.bind(RealDate)
const ShiftedDate = new Proxy(RealDate, {
  construct(target, args: unknown[], newTarget) {
    return Reflect.construct(target, args.length === 0 ? [realNow() + offset] : args, newTarget)
  },
  apply() {
    return new RealDate(realNow() + offset).toString()
  },
  get(target, key, receiver) {
    if (key === 'now') return () => realNow() + offset
    return Reflect.get(target, key, receiver) as unknown
  },
})
globalThis.Date = ShiftedDate
