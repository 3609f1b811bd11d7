import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import tseslint from 'typescript-eslint'

export default defineConfig(
  {ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'bin/**', 'test/support/*.cjs', '**/*.mjs', 'eslint.config.js', 'fixtures/**', 'tmp/**']},
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {languageOptions: {parserOptions: {project: "./tsconfig.check.json", tsconfigRootDir: import.meta.dirname}}},
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      // koffi and JSON boundaries hand us untyped values; we validate them where they enter.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {'@typescript-eslint/no-floating-promises': 'off'},
  },
)
