// npm run test:mutation [-- [--force] FILE...]: Stryker on each rule file with the tests that
// cover it. Results: reports/mutation/*.json, a score table per file on the terminal.
// Runs are incremental: only mutants in changed source lines are tested again. The command
// runner cannot see which tests changed, so after adding tests pass --force to retest all.
import { spawnSync } from 'node:child_process';

const node = 'node --import tsx --test --test-concurrency=1';
const TARGETS = {
  'src/portal/identity.ts': `${node} test/portal/identity.test.ts test/portal/identity-fields.test.ts test/portal/identifiers.test.ts`,
  'src/portal/password-policy.ts': `${node} test/portal/password-policy.test.ts`,
  // The lockout rule at unit level, on an in-memory database and a mocked clock: seconds a mutant.
  // A mutant can leave a guess waiting for ever: the test timeout turns that into a failure.
  'src/portal/login.ts': `${node} --test-timeout=10000 test/portal/lockout.test.ts`,
  'src/portal/throttle.ts': `${node} --test-timeout=10000 test/portal/lockout.test.ts`,
  // The rule's own table of cases (the HTTP tests take 15 to 60 s a mutant: the matrix and the takeover chains cover the routes).
  'src/directory/policy.ts': `${node} test/directory/policy.test.ts`,
};

const force = process.argv.includes('--force');
const chosen = process.argv.slice(2).filter((arg) => arg !== '--force');
const unknown = chosen.filter((file) => !(file in TARGETS));
if (unknown.length > 0) {
  console.error(`no mutation target ${unknown.join(', ')}; targets: ${Object.keys(TARGETS).join(', ')}`);
  process.exit(1);
}
let failed = false;
for (const file of chosen.length > 0 ? chosen : Object.keys(TARGETS)) {
  const started = Date.now();
  console.log(`\n=== mutation testing ${file}: ${TARGETS[file]}`);
  const run = spawnSync('stryker', ['run', 'stryker.config.mjs', ...(force ? ['--force'] : [])], {
    stdio: 'inherit',
    env: { ...process.env, MUTATE: file, MUTATION_TESTS: TARGETS[file], LOG_LEVEL: 'silent' },
  });
  console.log(`=== ${file}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  failed ||= run.status !== 0;
}
process.exit(failed ? 1 : 0);
