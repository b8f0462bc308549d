import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['build/**', 'dist/**', '.data/**', '.tmp/**', 'node_modules/**', '**/node_modules/**', 'public/**', 'migrations/**', '.cache/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // STYLE.md habit 6: the environment is read in one place only.
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through server/env.ts (getEnv), not process.env.' },
      ],
    },
  },
  {
    // The env module itself, tooling, scripts, tests and examples may read the environment.
    files: ['server/env.ts', 'scripts/**', 'tests/**', '**/*.test.ts', '**/*.config.{ts,js}', 'packages/sdk/examples/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.test.ts', 'tests/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
)
