import { defineConfig } from 'vitest/config'

// Runs only when scripts/testCounts.test.ts points vitest here (--root).
export default defineConfig({ test: { include: ['*.fixture.ts'] } })
