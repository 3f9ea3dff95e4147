// Mutation testing (npm run test:mutation; not part of npm test or CI): StrykerJS changes
// one rule at a time in the files that hold the rules, and the tests that cover that file
// must fail on each change. node:test has no Stryker runner, so the `command` runner runs
// only that file's tests; scripts/mutation.mjs runs Stryker once per file with them.
const target = process.env.MUTATE;
if (!target) throw new Error('MUTATE is not set: run `npm run test:mutation` (scripts/mutation.mjs)');
const slug = target.replace(/[^a-z0-9]+/gi, '-');

export default {
  mutate: [target],
  testRunner: 'command',
  commandRunner: { command: process.env.MUTATION_TESTS },
  // The command runner cannot tell which test covers which mutant.
  coverageAnalysis: 'off',
  // The machine has 2 cores shared with everything else.
  concurrency: 1,
  // A second run tests only mutants whose code or tests changed.
  incremental: true,
  incrementalFile: `reports/mutation/${slug}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${slug}.json` },
  clearTextReporter: { allowColor: false, reportScoreTable: true, reportMutants: true, logTests: false },
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['data', 'dist', 'test-results', 'reports', '.stryker-tmp', 'e2e', 'bench', 'docs'],
  timeoutMS: 60_000,
  cleanTempDir: 'always',
};
