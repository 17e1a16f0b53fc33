// `npm run mutate [-- library|domain|persistence|application|explorer]`: Stryker on one scope.
// stryker.config.mjs reads the scope from EVENTSCOPE_MUTATE_SCOPE, and so does the vitest config
// of the run. Other arguments go to Stryker as they are.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const scopes = ['library', 'domain', 'persistence', 'application', 'explorer']
const args = process.argv.slice(2)
const named = args.find((arg) => scopes.includes(arg))
const scope = named ?? process.env.EVENTSCOPE_MUTATE_SCOPE ?? 'library'
if (!scopes.includes(scope)) {
  console.error(`unknown mutation scope '${scope}': one of ${scopes.join(', ')}`)
  process.exit(2)
}
const rest = args.filter((arg) => arg !== named)
// The package's exports hide its bin: find it beside package.json.
const core = createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')
const stryker = join(dirname(core), 'bin', 'stryker.js')
const result = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...rest], {
  stdio: 'inherit',
  env: { ...process.env, EVENTSCOPE_MUTATE_SCOPE: scope },
})
process.exit(result.status ?? 1)
