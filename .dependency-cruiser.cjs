/**
 * The import rules of docs/ARCHITECTURE (issue 12): which room may walk into which.
 * `npm run lint:imports` checks src/ with them (part of `npm run lint`, so CI runs it);
 * test/platform/import-rules.test.ts proves each rule fails on a deliberate violation.
 * Tests, e2e journeys and benchmarks are not checked: they may reach a module's internals.
 * Type-only imports count: a type is a dependency too.
 */

/** The modules: every folder of src/ but the platform. */
const MODULE = '^src/(?!platform/)([^/]+)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-knows-no-module',
      comment:
        'src/platform is shared by every module and knows no domain: it imports nothing outside itself but packages.',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: '^(src|migrations)/', pathNot: '^src/platform/' },
    },
    {
      name: 'elar-only-platform',
      comment:
        'ELAR is a relying party: it talks to the portal only over OpenID Connect, and imports only the platform.',
      severity: 'error',
      from: { path: '^src/elar/' },
      to: { path: '^(src|migrations)/', pathNot: '^src/(elar|platform)/' },
    },
    {
      name: 'modules-meet-through-index',
      comment: "A module uses another only through that module's index.ts, its public face.",
      severity: 'error',
      from: { path: MODULE },
      to: { path: '^src/(?!platform/)[^/]+/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.tsx?$'] },
    },
    {
      name: 'database-type-only',
      comment:
        "Modules name the assembled database only as a type; opening and migrating it is the composition root's job.",
      severity: 'error',
      from: { path: MODULE },
      to: { path: '^src/database\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'nothing-imports-the-composition-root',
      comment:
        'src/app.tsx and src/main.ts put the system together; nothing in src/ depends on them (main starts app).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main\\.ts$' },
      to: { path: '^src/(app\\.tsx|main\\.ts)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    // Type-only imports are dependencies too (a platform file naming a portal type is a leak).
    tsPreCompilationDeps: true,
    // Packages' subpath exports (kysely/migration) resolve as Node resolves them.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
