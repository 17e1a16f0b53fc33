import jsxA11y from 'eslint-plugin-jsx-a11y-x'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

// Layer boundaries are written down here so the architecture is checked, not remembered.
const restrict = (patterns, message, ...more) => [
  'error',
  { patterns: [{ group: patterns, message }, ...more] },
]

// The library's index is its only entry point: no consumer reaches into its folders.
const libraryEntry = {
  group: ['**/eventsourcing/*', '**/eventsourcing/*/**'],
  message: "import the library from its index ('…/eventsourcing') only",
}

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      '.cassandra/**',
      'playwright-report/**',
      'test-results/**',
      // Mutation testing's reports and sandboxes (npm run mutate).
      'reports/**',
      '.stryker-tmp/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', 'node:*', 'react', 'react-dom', '**/electron/**', '**/renderer/**'],
        'shared/ holds types, schemas and pure functions only',
      ),
    },
  },
  {
    files: ['electron/eventsourcing/**/*.ts'],
    // Tests may use the seed's example as a fixture; the library's own code may not.
    ignores: ['electron/eventsourcing/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [
          'electron',
          'react',
          '**/explorer/**',
          '**/host/**',
          '**/serve/**',
          '**/main/**',
          '**/preload/**',
          '**/renderer/**',
          '**/shared/**',
          '**/example/**',
        ],
        'the library knows nothing of Electron, the explorer, transports or the UI',
      ),
    },
  },
  {
    files: ['electron/explorer/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', '**/host/**', '**/serve/**', '**/main/**', '**/preload/**', '**/renderer/**'],
        'the explorer knows nothing of transports or the UI',
        libraryEntry,
      ),
    },
  },
  {
    files: [
      'electron/{example,account,preload}/**/*.{ts,tsx,js,mjs}',
      '{scripts,test,bench,e2e}/**/*.{ts,tsx,js,mjs}',
    ],
    rules: {
      'no-restricted-imports': ['error', { patterns: [libraryEntry] }],
    },
  },
  {
    // What both shells share (CSP, static files, dispatch glue) runs in plain Node too.
    files: ['electron/host/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', '**/main/**', '**/serve/**', '**/preload/**', '**/renderer/**'],
        'electron/host is shared by both shells: no Electron, no shell, no UI',
        libraryEntry,
      ),
    },
  },
  {
    // The two shells share code through electron/host, never by importing each other.
    files: ['electron/main/**/*.{ts,tsx,js,mjs}'],
    rules: {
      'no-restricted-imports': restrict(
        ['**/serve/**'],
        'the desktop shell does not import browser mode: share it through electron/host',
        libraryEntry,
      ),
    },
  },
  {
    files: ['electron/serve/**/*.{ts,tsx,js,mjs}'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', '**/main/**', '**/preload/**'],
        'browser mode does not import the desktop shell: share it through electron/host',
        libraryEntry,
      ),
    },
  },
  {
    // The renderer's React: the rules of hooks. Not the plugin's React Compiler checks (refs,
    // set-state-in-effect, purity…): the renderer is not compiled by React Compiler.
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    // Accessibility of the JSX: the jsx-a11y rules, in the fork that supports eslint 10.
    files: ['renderer/**/*.tsx'],
    ...jsxA11y.configs.strict,
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', 'node:*', '**/electron/**'],
        'the renderer talks only to the shared contract',
      ),
    },
  },
  {
    // Features do not import each other sideways; features/shell and features/workspace place
    // other features' panels (the composition roots). scripts/featureImports.test.ts also checks
    // dynamic import(), which this rule does not see.
    files: ['renderer/src/features/**/*.{ts,tsx}'],
    ignores: ['renderer/src/features/shell/**', 'renderer/src/features/workspace/**'],
    rules: {
      'no-restricted-imports': restrict(
        ['electron', 'node:*', '**/electron/**'],
        'the renderer talks only to the shared contract',
        {
          regex: '^\\.\\./(?!\\.\\./)|/features/',
          message:
            "a feature imports only its own folder, ui/, lib/, stores/, transport/, api.ts, testing/ and shared/; only features/shell and features/workspace compose other features' panels",
        },
      ),
    },
  },
)
