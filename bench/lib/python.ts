/**
 * A Python script from bench/python/ run with `--serve` in the venv: it prints one JSON line
 * when ready, then answers each command line with one JSON line, so its runs can be
 * interleaved with ours (each times itself inside its own process).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ROOT, VENV_PYTHON } from './harness'

export interface PythonServer {
  readonly ready: Record<string, unknown>
  ask(command: string): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export const pythonMissing = (): string | undefined =>
  existsSync(VENV_PYTHON) ? undefined : 'no .cache/py-venv (run: bash bench/setup-compare.sh)'

export async function startPython(script: string, args: string[]): Promise<PythonServer> {
  const child = spawn(VENV_PYTHON, [join(ROOT, 'bench/python', script), '--serve', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next()
    if (done)
      throw new Error(`${script} exited: ${stderr.trim().split('\n').slice(-3).join(' | ')}`)
    return JSON.parse(value as string) as Record<string, unknown>
  }
  const ready = await next()
  return {
    ready,
    async ask(command) {
      child.stdin.write(`${command}\n`)
      return next()
    },
    async close() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.stdin.end('quit\n')
      await exited
    },
  }
}
