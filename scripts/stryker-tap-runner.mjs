// Stryker's tap runner, with the test files of each mutant in a useful order.
//
// With `coverageAnalysis: perTest` a mutant runs only the test files that reach it, and stops at the first that fails
// (`forceBail`). The tap runner runs them in the order its glob found them on disk, so a mutant of `login.ts` could
// run the whole-app tests before `login.test.js`, which is the file most likely to kill it. This plugin only reorders:
// first the test files named after the mutated file (`login.test.js`, then `login-*.test.js`), then the rest in the
// order of `tap.testFiles` (narrow unit tests first, whole-app tests last). Survivors run every file either way.
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin'
import { createTapTestRunnerFactory } from '@stryker-mutator/tap-runner'
import { orderTests } from './stryker-test-order.mjs'

function createOrderedTapRunner (injector) {
  const tap = createTapTestRunnerFactory()(injector)
  const configured = injector.resolve(commonTokens.options).tap.testFiles
  return {
    capabilities: () => tap.capabilities(),
    init: () => tap.init(),
    dryRun: (options) => tap.dryRun(options),
    mutantRun: (options) =>
      tap.mutantRun({
        ...options,
        testFilter: options.testFilter && orderTests(options.testFilter, options.activeMutant.fileName, configured)
      })
  }
}
createOrderedTapRunner.inject = tokens(commonTokens.injector)

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'tap-ordered', createOrderedTapRunner)]
