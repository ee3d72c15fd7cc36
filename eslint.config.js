// ESLint: neostandard (the configuration the Fastify organization lints its own code with), TypeScript-aware,
// plus lines of at most 120 characters.
import neostandard from 'neostandard'

export default [
  ...neostandard({
    ts: true,
    ignores: ['dist/**', 'coverage/**', '.tap/**', 'clients/typescript/schema.d.ts', 'data/**', 'reports/**']
  }),
  {
    rules: {
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }]
    }
  }
]
