import pino from 'pino';
import type { Config } from './config.ts';

/**
 * Structured logs. Request bodies are never logged (they hold SSNs, passwords and hint
 * answers); cookies and credentials are redacted from anything that does get logged.
 */
export function loggerOptions(config: Config): pino.LoggerOptions {
  return {
    level: config.logLevel,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.ssn',
        '*.hintAnswer',
        'body',
        'req.body',
      ],
      censor: '[redacted]',
    },
  };
}
