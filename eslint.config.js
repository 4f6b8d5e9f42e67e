// Lint for mistakes, not style: prettier owns the layout (`npm run lint` runs both). The recommended sets of ESLint
// and typescript-eslint, without the type-checked rules: tsc already runs in `npm test`, and they would double its time.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const browser = Object.fromEntries(
  ['window', 'document', 'fetch', 'setTimeout', 'Element', 'HTMLInputElement', 'navigator', 'URL'].map((g) => [
    g,
    'readonly',
  ]),
)

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'public/vendor/**', 'bench/.cache/**', 'db/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      // Stripping control characters from names, headers and CSV cells is the point of those patterns.
      'no-control-regex': 'off',
      // `_` marks a parameter a signature requires but the body does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
    },
  },
  // Tests read loosely typed JSON and HTML; an `any` there saves a cast per field and cannot reach users.
  { files: ['test/**', 'bench/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  { files: ['public/**/*.js'], languageOptions: { sourceType: 'script', globals: browser } },
)
