import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** A header of the message as it arrived (folded lines joined). */
  header(name: string): string | undefined;
  body: string;
}

/**
 * A real SMTP server on loopback (port 0), in this process: what the portal sends is read
 * as it arrived. `refuse` answers the next so many messages with a temporary failure (451);
 * `refuseRecipient` answers RCPT TO for one address with the given reply code (550: no such
 * mailbox, for good; 451: not now), until `refuseRecipient(address, null)`.
 */
export async function startSmtpServer(): Promise<{
  url: string;
  received: ReceivedMail[];
  refuse(count: number): void;
  refuseRecipient(address: string, responseCode: number | null): void;
  close(): Promise<void>;
}> {
  const received: ReceivedMail[] = [];
  let refusals = 0;
  const refusedRecipients = new Map<string, number>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const responseCode = refusedRecipients.get(address.address);
      if (responseCode === undefined) return callback();
      const reason = responseCode >= 500 ? 'No such mailbox here' : 'Mailbox busy, try again later';
      callback(Object.assign(new Error(reason), { responseCode }));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        if (refusals > 0) {
          refusals--;
          return callback(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));
        }
        const split = raw.search(/\r?\n\r?\n/);
        const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, ' ');
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          header: (name) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1]?.trim(),
          body: raw.slice(split).trim(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse: (count) => void (refusals = count),
    refuseRecipient: (address, responseCode) =>
      void (responseCode === null ? refusedRecipients.delete(address) : refusedRecipients.set(address, responseCode)),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
