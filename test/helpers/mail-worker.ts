/**
 * A separate worker process for the mail crash test: it opens the database named by the
 * environment (DATABASE_URL, or PGlite in DATA_DIR), arms FAULT_INJECT, and runs the due
 * mail jobs once. Armed at `mail.send:after-send`, it dies right after the SMTP server has
 * accepted a message, before the outbox records it as sent.
 */
import { loadConfig } from '../../src/platform/config.ts';
import { openDatabase } from '../../src/database.ts';
import { armFaults } from '../../src/platform/faults.ts';
import { JobRunner } from '../../src/platform/jobs/runner.ts';
import { SEND_MAIL_JOB } from '../../src/platform/mail/outbox.ts';
import { mailSender } from '../../src/platform/mail/sender.ts';

const config = loadConfig();
armFaults(config.faultInject);
const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const sender = mailSender(database.db, config.mail!);
await new JobRunner(database.db).handle(SEND_MAIL_JOB, sender.send).runDue();
sender.close();
await database.close();
