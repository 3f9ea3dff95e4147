import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { loadConfig } from '../../src/platform/config.ts';

describe('configuration', () => {
  test('defaults from CONTRACT.md', () => {
    const c = loadConfig({});
    assert.equal(c.port, 3000);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.dataDir, './data');
    assert.equal(c.publicUrl, 'http://localhost:3000');
    assert.equal(c.passwordPolicy, 'agency');
    assert.equal(c.secureCookies, false);
  });
  test('a bad value names the variable in one line', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      /^Error: Invalid configuration: PORT must be a number from 0 to 65535$/,
    );
    assert.throws(() => loadConfig({ PASSWORD_POLICY: 'weak' }), /Invalid configuration: PASSWORD_POLICY/);
    assert.throws(
      () => loadConfig({ DATABASE_URL: 'mysql://x' }),
      /Invalid configuration: DATABASE_URL must start with postgres/,
    );
    assert.throws(() => loadConfig({ PUBLIC_URL: 'not a url' }), /Invalid configuration: PUBLIC_URL/);
  });
  test('the Department’s organization code in the roles claim: 00000000 unless DEPARTMENT_ORG_CODE names 8 digits', () => {
    assert.equal(loadConfig({}).departmentOrgCode, '00000000');
    assert.equal(loadConfig({ DEPARTMENT_ORG_CODE: '99990000' }).departmentOrgCode, '99990000');
    assert.throws(
      () => loadConfig({ DEPARTMENT_ORG_CODE: 'DESE' }),
      /^Error: Invalid configuration: DEPARTMENT_ORG_CODE must be 8 digits, like an organization code$/,
    );
  });
  test('https PUBLIC_URL turns on secure cookies', () => {
    assert.equal(loadConfig({ PUBLIC_URL: 'https://portal.example.gov/' }).secureCookies, true);
    assert.equal(loadConfig({ PUBLIC_URL: 'https://portal.example.gov/' }).publicUrl, 'https://portal.example.gov');
  });
  test('production requires the SSN key', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /SSN_HMAC_KEY is required/);
  });
  test('crash points are armed only outside production, and only by known names', () => {
    const keys = { SSN_HMAC_KEY: 'k'.repeat(32), SECRETS_KEY: 's'.repeat(32) };
    assert.deepEqual(loadConfig({}).faultInject, []);
    assert.deepEqual(
      loadConfig({ NODE_ENV: 'test', FAULT_INJECT: 'profile.create:after-audit,profile.create:after-commit' })
        .faultInject,
      ['profile.create:after-audit', 'profile.create:after-commit'],
    );
    assert.throws(
      () => loadConfig({ NODE_ENV: 'production', ...keys, FAULT_INJECT: 'profile.create:after-commit' }),
      /^Error: Invalid configuration: FAULT_INJECT is for tests and is refused when NODE_ENV=production$/,
    );
    // A misspelt point would otherwise arm nothing and the crash test would prove nothing.
    assert.throws(
      () => loadConfig({ NODE_ENV: 'test', FAULT_INJECT: 'profile.create:after-comit' }),
      /^Error: Invalid configuration: FAULT_INJECT must name points among /,
    );
  });

  describe('storage of uploaded files', () => {
    const s3 = {
      S3_BUCKET: 'portal-documents',
      S3_ENDPOINT: 'http://127.0.0.1:9000/',
      S3_ACCESS_KEY_ID: 'portal',
      S3_SECRET_ACCESS_KEY: 'do-not-print-this-secret',
      S3_FORCE_PATH_STYLE: 'true',
    };

    test('by default files are kept under DATA_DIR/blobs', () => {
      assert.deepEqual(loadConfig({}).storage, { kind: 'filesystem', dir: 'data/blobs' });
      assert.deepEqual(loadConfig({ DATA_DIR: '/srv/portal' }).storage, {
        kind: 'filesystem',
        dir: '/srv/portal/blobs',
      });
    });

    test('S3_BUCKET turns on the S3-compatible store with its endpoint, region, path style and keys', () => {
      const storage = loadConfig(s3).storage;
      assert.equal(storage.kind, 's3');
      if (storage.kind !== 's3') return;
      assert.equal(storage.s3.bucket, 'portal-documents');
      assert.equal(storage.s3.endpoint, 'http://127.0.0.1:9000');
      assert.equal(storage.s3.region, 'us-east-1');
      assert.equal(storage.s3.forcePathStyle, true);
      assert.deepEqual(storage.s3.credentials(), {
        accessKeyId: 'portal',
        secretAccessKey: 'do-not-print-this-secret',
      });
      // On AWS itself: no endpoint, virtual-hosted buckets, and the SDK's own credentials (an instance role).
      const aws = loadConfig({ S3_BUCKET: 'portal-documents', S3_REGION: 'eu-west-1' }).storage;
      assert.ok(
        aws.kind === 's3' &&
          aws.s3.endpoint === undefined &&
          aws.s3.region === 'eu-west-1' &&
          !aws.s3.forcePathStyle &&
          aws.s3.credentials() === null,
      );
    });

    test('the secret is not in the configuration when it is logged or printed', () => {
      const config = loadConfig(s3);
      assert.doesNotMatch(JSON.stringify(config), /do-not-print-this-secret/);
      assert.doesNotMatch(inspect(config, { depth: Infinity }), /do-not-print-this-secret/);
    });

    test('half an S3 configuration stops the start with one line, never echoing the secret', () => {
      assert.throws(
        () => loadConfig({ S3_ENDPOINT: 'http://127.0.0.1:9000' }),
        /^Error: Invalid configuration: S3_BUCKET is required when S3_ENDPOINT is set$/,
      );
      assert.throws(
        () => loadConfig({ S3_SECRET_ACCESS_KEY: 'do-not-print-this-secret' }),
        /^Error: Invalid configuration: S3_BUCKET is required when S3_SECRET_ACCESS_KEY is set$/,
      );
      assert.throws(
        () => loadConfig({ ...s3, S3_ACCESS_KEY_ID: '' }),
        /^Error: Invalid configuration: S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all$/,
      );
      assert.throws(
        () => loadConfig({ ...s3, S3_ENDPOINT: 'ftp://files' }),
        /^Error: Invalid configuration: S3_ENDPOINT must be an http\(s\) URL$/,
      );
      assert.throws(
        () => loadConfig({ ...s3, S3_BUCKET: 'Not_A_Bucket' }),
        /^Error: Invalid configuration: S3_BUCKET must be a bucket name/,
      );
      assert.throws(
        () => loadConfig({ ...s3, S3_FORCE_PATH_STYLE: 'yes' }),
        /^Error: Invalid configuration: S3_FORCE_PATH_STYLE/,
      );
      for (const env of [
        { ...s3, S3_ENDPOINT: 'nope' },
        { ...s3, S3_ACCESS_KEY_ID: '' },
      ]) {
        assert.throws(
          () => loadConfig(env),
          (error: Error) => !error.message.includes('do-not-print-this-secret'),
        );
      }
    });
  });

  test('jobs: poll, lease and retry timing, with defaults', () => {
    assert.deepEqual(loadConfig({}).jobs, {
      pollMs: 1000,
      leaseMs: 60_000,
      backoff: { baseMs: 10_000, maxMs: 3_600_000 },
    });
    const c = loadConfig({
      JOBS_POLL_MS: '250',
      JOBS_LEASE_SECONDS: '30',
      JOBS_RETRY_BASE_SECONDS: '5',
      JOBS_RETRY_MAX_SECONDS: '600',
    });
    assert.deepEqual(c.jobs, { pollMs: 250, leaseMs: 30_000, backoff: { baseMs: 5_000, maxMs: 600_000 } });
    assert.throws(
      () => loadConfig({ JOBS_LEASE_SECONDS: '0' }),
      /^Error: Invalid configuration: JOBS_LEASE_SECONDS must be more than 0$/,
    );
    assert.throws(
      () => loadConfig({ JOBS_RETRY_BASE_SECONDS: '60', JOBS_RETRY_MAX_SECONDS: '10' }),
      /^Error: Invalid configuration: JOBS_RETRY_MAX_SECONDS must be at least JOBS_RETRY_BASE_SECONDS$/,
    );
  });
  test('mail: none by default; SMTP_URL and MAIL_FROM together', () => {
    assert.equal(loadConfig({}).mail, undefined, 'no SMTP, no mail: the default');
    assert.deepEqual(
      loadConfig({ SMTP_URL: 'smtp://mail.example.gov:587', MAIL_FROM: 'ELAR <no-reply@doe.example.gov>' }).mail,
      {
        smtpUrl: 'smtp://mail.example.gov:587',
        from: 'ELAR <no-reply@doe.example.gov>',
      },
    );
    assert.ok(
      loadConfig({ SMTP_URL: 'smtps://user:pass@mail.example.gov', MAIL_FROM: 'no-reply@doe.example.gov' }).mail,
    );
    assert.throws(
      () => loadConfig({ SMTP_URL: 'http://mail.example.gov' }),
      /^Error: Invalid configuration: SMTP_URL must start with smtp:\/\/ or smtps:\/\/$/,
    );
    assert.throws(
      () => loadConfig({ SMTP_URL: 'smtp://mail.example.gov' }),
      /^Error: Invalid configuration: MAIL_FROM is required with SMTP_URL$/,
    );
    assert.throws(
      () => loadConfig({ SMTP_URL: 'smtp://mail.example.gov', MAIL_FROM: 'nobody' }),
      /^Error: Invalid configuration: MAIL_FROM must be an email address/,
    );
    assert.throws(
      () => loadConfig({ MAIL_FROM: 'no-reply@doe.example.gov' }),
      /^Error: Invalid configuration: MAIL_FROM is set but SMTP_URL is not: no mail would be sent$/,
    );
  });

  describe('the demo (DEMO=1): people with published passwords, fees paid with the test card', () => {
    const keys = { SSN_HMAC_KEY: 'k'.repeat(32), SECRETS_KEY: 's'.repeat(32) };
    const EXPOSED =
      /^DEMO=1 with PUBLIC_URL (\S+), not this machine: anyone who can reach it can sign in as the demo people/;

    test('on this machine (localhost, 127.0.0.0/8, ::1, or PUBLIC_URL unset) it starts without a warning', () => {
      assert.deepEqual(loadConfig({ DEMO: '1' }).warnings, []);
      for (const url of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://127.8.9.10', 'http://[::1]:3000'])
        assert.deepEqual(loadConfig({ DEMO: '1', PUBLIC_URL: url }).warnings, [], url);
      assert.deepEqual(loadConfig({ PUBLIC_URL: 'https://portal.example.gov' }).warnings, [], 'no demo, no warning');
    });

    test('at any other address it warns, naming the address and what anyone there can do', () => {
      for (const url of [
        'https://portal.example.gov',
        'http://10.0.0.5:3000',
        'http://0.0.0.0:3000',
        'http://localhost.example.com',
        'http://127.0.0.1.nip.io',
        'http://[::2]',
      ]) {
        const [warning, ...more] = loadConfig({ DEMO: '1', PUBLIC_URL: url }).warnings;
        assert.equal(more.length, 0, url);
        assert.match(warning ?? '', EXPOSED, url);
        assert.equal(EXPOSED.exec(warning!)![1], url.replace(/\/$/, ''));
        assert.match(warning!, /passwords the README publishes/);
        assert.match(warning!, /a Directory Administrator and a Department licensure evaluator/);
        assert.match(warning!, /test card/);
        assert.match(warning!, /Run the demo on localhost only\.$/);
      }
    });

    test('NODE_ENV=production refuses it in one line', () => {
      assert.throws(
        () => loadConfig({ NODE_ENV: 'production', ...keys, DEMO: '1' }),
        /^Error: Invalid configuration: DEMO is refused when NODE_ENV=production: it adds people whose passwords are published and pays fees with the test card$/,
      );
      assert.equal(loadConfig({ NODE_ENV: 'production', ...keys, DEMO: '0' }).demo, false);
    });

    test('the server refuses to start with it under NODE_ENV=production: one line, exit status 1', () => {
      // A server that did start would keep a throwaway database, and be stopped by the timeout.
      const dataDir = mkdtempSync(join(tmpdir(), 'portal-demo-'));
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          ...keys,
          NODE_ENV: 'production',
          DEMO: '1',
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          PORT: '0',
        },
        encoding: 'utf8',
        timeout: 30_000,
      });
      rmSync(dataDir, { recursive: true, force: true });
      assert.equal(result.status, 1);
      assert.equal(
        result.stderr.trim(),
        'Invalid configuration: DEMO is refused when NODE_ENV=production: it adds people whose passwords are published and pays fees with the test card',
      );
    });

    test('the server logs the warning at start-up, before anything else', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'portal-demo-'));
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: {
          ...process.env,
          DEMO: '1',
          PUBLIC_URL: 'https://portal.example.gov',
          PORT: '0',
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          DATABASE_URL: '',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      try {
        const first = await new Promise<string>((resolve, reject) => {
          let seen = '';
          child.stdout.on('data', (chunk: Buffer) => {
            seen += chunk.toString();
            if (seen.includes('\n')) resolve(seen.slice(0, seen.indexOf('\n')));
          });
          child.once('exit', (code) => reject(new Error(`exited with ${code} before logging`)));
        });
        const line = JSON.parse(first) as { level: number; msg: string };
        assert.equal(line.level, 40, 'a warning');
        assert.match(line.msg, EXPOSED);
      } finally {
        const exited = new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
        child.kill('SIGKILL');
        await exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
