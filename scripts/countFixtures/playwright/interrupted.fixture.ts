import { writeFileSync } from 'node:fs'
import { test } from '@playwright/test'

// scripts/testCounts.test.ts interrupts the run (SIGINT) once this test has begun.
test('is interrupted while running', async () => {
  test.setTimeout(120_000)
  writeFileSync(process.env['COUNTS_STARTED'] ?? '/dev/null', 'started')
  await new Promise((resolve) => setTimeout(resolve, 120_000))
})

test('never reached', () => {})
