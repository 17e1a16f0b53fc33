import { SEED_CIPHER_KEY } from '../electron/example/seedSettings'
import '../electron/explorer/builtInTypes'
import { Application, createSqliteStore, restoreAggregate, aggregateState } from '../electron/eventsourcing'
import { displayState } from '../electron/explorer/dto'
import { methods } from '../shared/contract'
const path = '/tmp/ttfig/scrub-100000-100.sqlite'
const app = new Application({ store: createSqliteStore(path), cipherKey: SEED_CIPHER_KEY, readOnly: true })
const [s] = await app.store.events.listAggregates({ limit: 1 }).then((p) => p.items)
const id = s!.originatorId
const t = () => performance.now()
for (const at of [80_050, 80_050, 40_050]) {
  let a = t()
  const [v] = await app.snapshotVersions(id, { lte: at, desc: true, limit: 1 })
  const b = t()
  const [snap] = await app.snapshots(id, { gte: v, lte: v })
  const c = t()
  const agg = restoreAggregate(snap!.topic, snap!.state!)
  const enc = app.mapper.transcoder.encode(aggregateState(agg))
  const d = t()
  const dec = app.mapper.transcoder.decode(enc)
  const e = t()
  const disp = displayState(agg)
  const f = t()
  const json = JSON.stringify(disp)
  const g = t()
  let n = 0
  for await (const page of app.verifiedEventPages(id, { fromVersion: v!, toVersion: at })) n += page.length
  const h = t()
  console.log({ at, markers: b - a, snapshotRead: c - b, encode: d - c, encodedChars: enc.length, decode: e - d, display: f - e, jsonChars: json.length, stringify: g - f, events: n, eventsRead: h - g })
  void dec
}
let a = t()
const vs = await app.snapshotVersions(id, {})
console.log('all snapshot versions', vs.length, t() - a)
await app.close()
