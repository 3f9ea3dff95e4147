/**
 * The peer for benchmark scenario 3: Better Auth's email/password sign-in on the same kind
 * of database (PostgreSQL via DATABASE_URL, else embedded PGlite), with its password hash
 * switched to the portal's exact argon2id parameters so that only the rest differs.
 * Started by bench/run.ts as a child process; prints nothing, listens on PORT.
 */
import { createServer } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import { hashSecret, verifySecret } from '../../src/portal/hashing.ts';

const port = Number(process.env.PORT);
// Its own schema: Better Auth's `session` table must not meet the portal's.
async function postgres(url: string) {
  const setup = new pg.Client({ connectionString: url });
  await setup.connect();
  await setup.query('CREATE SCHEMA IF NOT EXISTS better_auth');
  await setup.end();
  return new PostgresDialect({
    pool: new pg.Pool({ connectionString: url, max: 10, options: '-c search_path=better_auth' }),
  });
}
const dialect = process.env.DATABASE_URL
  ? await postgres(process.env.DATABASE_URL)
  : new PGliteDialect({ pglite: new PGlite() });

const auth = betterAuth({
  baseURL: `http://127.0.0.1:${port}`,
  secret: 'bench-better-auth-secret-0123456789abcdef',
  database: { dialect, type: 'postgres' },
  emailAndPassword: {
    enabled: true,
    password: { hash: hashSecret, verify: ({ hash, password }) => verifySecret(hash, password) },
  },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();
await auth.api
  .signUpEmail({ body: { email: 'jordan@example.org', password: 'Welcome2026', name: 'Jordan Rivera' } })
  .catch(() => undefined);

const handler = toNodeHandler(auth);
createServer((req, res) => {
  if (req.url === '/healthz') return void res.end('ok');
  void handler(req, res);
}).listen(port, '127.0.0.1');
