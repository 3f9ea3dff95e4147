import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database on the PostgreSQL server named by `serverUrl` (CI's throwaway cluster),
 * so each test file or server starts empty and leaves nothing behind.
 */
export async function throwawayDatabase(
  serverUrl: string,
  prefix: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const onServer = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  // CREATE DATABASE copies template1 and fails (55006) while another session is copying it.
  for (let attempt = 1; ; attempt++) {
    try {
      await onServer(`CREATE DATABASE ${name}`);
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt === 10) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropWhenIdle(serverUrl, name) };
}

/**
 * pg's Pool.end() resolves before its connections have closed; a forced DROP would cut one
 * off mid-goodbye and its pool would throw "terminating connection due to administrator
 * command" into the test. So wait (a few seconds at most) until nothing is connected.
 */
async function dropWhenIdle(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (let i = 0; i < 50; i++) {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
        [name],
      );
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
