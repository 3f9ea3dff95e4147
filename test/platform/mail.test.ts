import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate, openDatabase, type Database } from '../../src/database.ts';
import { deadJobs } from '../../src/platform/jobs/queue.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { createOutbox, SEND_MAIL_ATTEMPTS, SEND_MAIL_JOB, type MailSettings } from '../../src/platform/mail/outbox.ts';
import { mailSender, type MailSender } from '../../src/platform/mail/sender.ts';
import { startSmtpServer } from '../helpers/smtp.ts';
import { throwawayDatabase } from '../helpers/throwaway-database.ts';

/**
 * The mail outbox, sent through a real SMTP server in this process (smtp-server on
 * loopback). On PGlite in a temporary directory, or with DATABASE_URL on PostgreSQL, so a
 * worker in another process can share the database for the crash test.
 */

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let settings: MailSettings;
let throwaway: Awaited<ReturnType<typeof throwawayDatabase>> | undefined;
let dataDir: string;
let database: Database;
let sender: MailSender;
let runner: JobRunner;
const open = () => openDatabase({ databaseUrl: throwaway?.url, dataDir });

before(async () => {
  smtp = await startSmtpServer();
  settings = { smtpUrl: smtp.url, from: 'Licensure <no-reply@doe.example.gov>' };
  dataDir = mkdtempSync(join(tmpdir(), 'mail-test-'));
  if (process.env.DATABASE_URL) throwaway = await throwawayDatabase(process.env.DATABASE_URL, 'mail_test');
  database = await open();
  await migrate(database.db);
  sender = mailSender(database.db, settings);
  runner = new JobRunner(database.db).handle(SEND_MAIL_JOB, sender.send);
});
after(async () => {
  sender.close();
  await database.close();
  await throwaway?.drop();
  rmSync(dataDir, { recursive: true, force: true });
  await smtp.close();
});
beforeEach(async () => {
  smtp.received.length = 0;
  await database.db.deleteFrom('mail_outbox').execute();
  await database.db.deleteFrom('job').execute();
});

const outbox = () => database.db.selectFrom('mail_outbox').selectAll().execute();
const notice = {
  to: 'pat.teacher@example.org',
  subject: 'Your application 1234567 was received',
  text: 'We have received your application.',
};

/** Runs the due mail jobs, then lets the backoff pass, so many times. */
async function runWithBackoffPassing(rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await runner.runDue();
    await database.db
      .updateTable('job')
      .set({ run_at: sql`now()` })
      .where('state', '=', 'queued')
      .execute();
  }
}

describe('mail outbox', () => {
  test('with no SMTP configured (the default) nothing is queued, kept or sent', async () => {
    const off = createOutbox(undefined);
    assert.equal(off.sends, false);
    assert.equal(await database.db.transaction().execute((trx) => off.queue(trx, notice)), null);
    assert.deepEqual(await outbox(), []);
    assert.equal((await database.db.selectFrom('job').select('id').execute()).length, 0);
    await runner.runDue();
    assert.equal(smtp.received.length, 0);
  });

  test('a message queued in a rolled-back change is not sent; a committed one arrives once, as written, with its Message-ID', async () => {
    const mail = createOutbox(settings);
    await assert.rejects(
      database.db.transaction().execute(async (trx) => {
        await mail.queue(trx, { ...notice, subject: 'never' });
        throw new Error('the change fails');
      }),
    );
    const id = await database.db.transaction().execute((trx) => mail.queue(trx, notice));
    assert.equal(await runner.runDue(), 1);
    assert.equal(smtp.received.length, 1);
    const [arrived] = smtp.received;
    const [row] = await outbox();
    assert.equal(row!.id, id);
    assert.equal(row!.state, 'sent');
    assert.ok(row!.sent_at);
    assert.match(row!.message_id, /^<[0-9a-f-]{36}@doe\.example\.gov>$/);
    assert.equal(arrived!.header('Message-ID'), row!.message_id);
    assert.deepEqual(arrived!.to, ['pat.teacher@example.org']);
    assert.equal(arrived!.from, 'no-reply@doe.example.gov');
    assert.equal(arrived!.header('From'), 'Licensure <no-reply@doe.example.gov>');
    assert.equal(arrived!.header('Subject'), notice.subject);
    assert.match(arrived!.body, /We have received your application\./);
    assert.equal(await runner.runDue(), 0, 'nothing left to send');
  });

  test('a temporary refusal is retried after the backoff, and the message arrives once', async () => {
    await database.db.transaction().execute((trx) => createOutbox(settings).queue(trx, notice));
    smtp.refuse(1);
    await runner.runDue();
    assert.equal(smtp.received.length, 0);
    const [job] = await database.db.selectFrom('job').selectAll().execute();
    assert.match(job!.last_error!, /451 Mailbox busy/);
    assert.equal((await outbox())[0]!.state, 'queued');
    assert.equal(await runner.runDue(), 0, 'not before the backoff');
    await runWithBackoffPassing(2);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(
      (await outbox()).map((m) => [m.state, m.attempts]),
      [['sent', 2]],
    );
  });

  test('refused on every attempt: the message is failed and its job dead-lettered', async () => {
    await database.db.transaction().execute((trx) => createOutbox(settings).queue(trx, notice));
    smtp.refuse(SEND_MAIL_ATTEMPTS);
    await runWithBackoffPassing(SEND_MAIL_ATTEMPTS + 2);
    smtp.refuse(0);
    assert.equal(smtp.received.length, 0);
    assert.deepEqual(
      (await outbox()).map((m) => [m.state, m.attempts]),
      [['failed', SEND_MAIL_ATTEMPTS]],
    );
    assert.equal((await deadJobs(database.db, SEND_MAIL_JOB)).length, 1);
  });

  test('a recipient the server refuses for good (550) is failed at once, with the reason, and not tried again', async () => {
    smtp.refuseRecipient(notice.to, 550);
    try {
      await database.db.transaction().execute((trx) => createOutbox(settings).queue(trx, notice));
      assert.equal(await runner.runDue(), 1);
      await runWithBackoffPassing(3);
    } finally {
      smtp.refuseRecipient(notice.to, null);
    }
    assert.equal(smtp.received.length, 0);
    assert.deepEqual(
      (await outbox()).map((m) => [m.state, m.attempts]),
      [['failed', 1]],
      'one attempt, and no retry',
    );
    const [dead] = await deadJobs(database.db, SEND_MAIL_JOB);
    assert.equal(dead!.attempts, 1);
    assert.match(dead!.last_error!, /550 No such mailbox here/, 'the reason, for an operator');
  });

  test('a recipient refused for now (451) is retried, and the message arrives once the server takes it', async () => {
    smtp.refuseRecipient(notice.to, 451);
    try {
      await database.db.transaction().execute((trx) => createOutbox(settings).queue(trx, notice));
      await runWithBackoffPassing(2);
      assert.deepEqual(
        (await outbox()).map((m) => [m.state, m.attempts]),
        [['queued', 2]],
      );
      const [job] = await database.db.selectFrom('job').selectAll().execute();
      assert.match(job!.last_error!, /451 Mailbox busy/);
    } finally {
      smtp.refuseRecipient(notice.to, null);
    }
    await runWithBackoffPassing(1);
    assert.equal(smtp.received.length, 1);
    assert.deepEqual(
      (await outbox()).map((m) => [m.state, m.attempts]),
      [['sent', 3]],
    );
  });

  test('a worker killed after the server accepted a message, before recording it: the retry does not send it again', async () => {
    const id = (await database.db.transaction().execute((trx) => createOutbox(settings).queue(trx, notice)))!;
    // PGlite is one process's: the worker opens the directory while this process has it closed.
    await database.close();
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/mail-worker.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATA_DIR: dataDir,
        ...(throwaway ? { DATABASE_URL: throwaway.url } : {}),
        SMTP_URL: settings.smtpUrl,
        MAIL_FROM: settings.from,
        FAULT_INJECT: 'mail.send:after-send',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const [, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      worker.on('exit', (code, sig) => resolve([code, sig])),
    );
    assert.equal(signal, 'SIGKILL', 'the worker died at the fault point');
    database = await open();
    sender = mailSender(database.db, settings);
    runner = new JobRunner(database.db).handle(SEND_MAIL_JOB, sender.send);

    assert.equal(smtp.received.length, 1, 'the server accepted it');
    assert.deepEqual(
      (await outbox()).map((m) => m.state),
      ['sending'],
    );
    assert.equal(await runner.runDue(), 0, "the dead worker's lease still holds the job");
    await database.db
      .updateTable('job')
      .set({ locked_until: sql`now() - interval '1 second'` })
      .execute(); // the lease passes
    assert.equal(await runner.runDue(), 1, 'the job is retried after the lease');
    assert.equal(smtp.received.length, 1, 'and the message is not sent twice');
    const [row] = await outbox();
    assert.equal(row!.id, id);
    assert.equal(row!.state, 'unknown', 'left for an operator to check');
    assert.equal(smtp.received[0]!.header('Message-ID'), row!.message_id);
    assert.deepEqual(await database.db.selectFrom('job').select('id').execute(), [], 'the job is done');
  });
});
