import pino from 'pino';
import type { Config } from './config.ts';

/**
 * Structured logs. Request bodies are never logged (they hold SSNs, passwords and hint
 * answers); cookies and credentials are redacted from anything that does get logged, and
 * so is every query value of a logged URL: OpenID Connect puts ID tokens (name, User Name,
 * MEPID), codes, states and hints there, and a list of dangerous names would miss the next one.
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
    serializers: {
      req: (request: {
        method: string;
        url: string;
        host?: string;
        ip?: string;
        socket?: { remotePort?: number };
      }) => ({
        method: request.method,
        url: redactQuery(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
    },
  };
}

/** Keeps the path and the names of the query parameters; every value becomes `[redacted]`. */
export function redactQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const names = url
    .slice(start + 1)
    .split('&')
    .map((pair) => `${pair.split('=', 1)[0]}=[redacted]`);
  return `${url.slice(0, start)}?${names.join('&')}`;
}
