import t from 'tap'

// used by the Stryker plugin (scripts/stryker-tap-runner.mjs): plain JavaScript, not part of the build
const { orderTests } = (await import('../../scripts/stryker-test-order.mjs' as string)) as {
  orderTests: (tests: string[], sourceFile: string, configured: string[]) => string[]
}

const configured = [
  'dist/test/step-up/recent-auth.test.js',
  'dist/test/auth/login-throttle.test.js',
  'dist/test/sessions/session-service.test.js',
  'dist/test/auth/use-cases/login.test.js',
  'dist/test/plugins/authorization-wiring.test.js',
  'dist/test/plugins/authorization.test.js'
]

t.test("a mutant runs its own file's tests first, then the configured order", async (t) => {
  const covering = [
    'dist/test/plugins/authorization.test.js',
    'dist/test/auth/use-cases/login.test.js',
    'dist/test/sessions/session-service.test.js',
    'dist/test/auth/login-throttle.test.js'
  ]
  t.same(orderTests(covering, '/sandbox/src/auth/use-cases/login.ts', configured), [
    'dist/test/auth/use-cases/login.test.js', // login.ts's own
    'dist/test/auth/login-throttle.test.js', // login-*.test.js
    'dist/test/sessions/session-service.test.js',
    'dist/test/plugins/authorization.test.js'
  ])
  t.same(orderTests(covering, 'src/sessions/session-service.ts', configured), [
    'dist/test/sessions/session-service.test.js',
    'dist/test/auth/login-throttle.test.js',
    'dist/test/auth/use-cases/login.test.js',
    'dist/test/plugins/authorization.test.js'
  ])
})

t.test('files named after the mutated file: the exact name before a longer one', async (t) => {
  const covering = ['dist/test/plugins/authorization-wiring.test.js', 'dist/test/plugins/authorization.test.js']
  t.same(orderTests(covering, 'src/plugins/app/authorization.ts', configured), [
    'dist/test/plugins/authorization.test.js',
    'dist/test/plugins/authorization-wiring.test.js'
  ])
})

t.test('a file missing from the configured list goes last; the input is not changed', async (t) => {
  const covering = ['dist/test/elsewhere.test.js', 'dist/test/step-up/recent-auth.test.js']
  t.same(orderTests(covering, 'src/x.ts', configured), [
    'dist/test/step-up/recent-auth.test.js',
    'dist/test/elsewhere.test.js'
  ])
  t.same(covering, ['dist/test/elsewhere.test.js', 'dist/test/step-up/recent-auth.test.js'])
})
