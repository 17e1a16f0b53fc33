import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '@playwright/test'

// Runs only when scripts/testCounts.test.ts points Playwright here (--config); no browser needed.
export default defineConfig({
  testDir: '.',
  testMatch: '*.fixture.ts',
  workers: 1,
  retries: 0,
  timeout: 1_000,
  reporter: [['json']],
  outputDir: process.env['COUNTS_OUTPUT_DIR'] ?? join(tmpdir(), 'eventscope-count-fixtures'),
})
