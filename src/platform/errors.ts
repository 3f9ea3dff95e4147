/**
 * Every error a person can meet has an entry in a registry: a code, an HTTP status and the
 * message shown to them. The platform's own (generic) entries are here; each module lists
 * its own with `defineErrors` in its `errors.ts` (the platform knows no domain). Callers
 * throw by name; tests assert the code; docs/operations.md lets an operator look one up.
 */
export class PortalError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

/** `<MODULE>_ERR_<NAME>`: capital letters, digits and underscores, the module first. */
const WELL_FORMED = /^[A-Z][A-Z0-9]*_ERR_[A-Z0-9]+(?:_[A-Z0-9]+)*$/;

export interface RegistryEntry {
  code: string;
  statusCode: number;
}

const registry = new Map<string, RegistryEntry>();

/** Every code registered in this process so far (each module registers when it is loaded). */
export function registeredErrors(): RegistryEntry[] {
  return [...registry.values()];
}

type Message = string | ((...details: never[]) => string);
type Definition = { code: string; status: number; message: Message };
/** Creates the entry's error: from the details its message is built from, if any. */
type Factory<M extends Message, E> = (M extends (...details: infer D) => string ? (...details: D) => E : () => E) &
  RegistryEntry;

/**
 * A module's list of errors. Each code must be well formed, start with the module's
 * prefix (`DIRECTORY` → `DIRECTORY_ERR_…`) and be new: a clash stops the process at start-up,
 * so one code always means one thing. `make` builds a module's own subclass (one that a
 * form page catches to re-render itself, say).
 */
export function defineErrors<const T extends Record<string, Definition>, E extends PortalError = PortalError>(
  prefix: string,
  definitions: T,
  make: (code: string, statusCode: number, message: string) => E = (code, statusCode, message) =>
    new PortalError(code, statusCode, message) as E,
): { readonly [K in keyof T]: Factory<T[K]['message'], E> } {
  const factories: Record<string, unknown> = {};
  for (const [name, { code, status, message }] of Object.entries(definitions)) {
    if (!WELL_FORMED.test(code) || !code.startsWith(`${prefix}_ERR_`))
      throw new Error(`Error ${name}: code ${code} is not ${prefix}_ERR_NAME`);
    if (registry.has(code)) throw new Error(`Error code ${code} is registered twice`);
    if (!Number.isInteger(status) || status < 400 || status > 599)
      throw new Error(`Error ${code}: status ${status} is not an HTTP error status`);
    const entry = { code, statusCode: status };
    registry.set(code, entry);
    const create = (...details: never[]) =>
      make(code, status, typeof message === 'string' ? message : message(...details));
    factories[name] = Object.assign(create, entry);
  }
  return factories as { readonly [K in keyof T]: Factory<T[K]['message'], E> };
}

const BAD_REQUEST = 'What you sent could not be read. Go back and try again.';

export const errors = defineErrors('PORTAL', {
  forbidden: {
    code: 'PORTAL_ERR_FORBIDDEN',
    status: 403,
    message: 'Your account does not have permission to see this page or do this.',
  },
  beyondReach: {
    code: 'PORTAL_ERR_BEYOND_REACH',
    status: 403,
    message:
      'This person has powers beyond yours: a Department role, or Directory Administrator rights or application roles in organizations you do not administer. You can still take away their roles in your organizations or their place on your staff; anything else only the Department can do for them: call the Department help desk.',
  },
  notFound: { code: 'PORTAL_ERR_NOT_FOUND', status: 404, message: 'We could not find that page.' },
  csrf: {
    code: 'PORTAL_ERR_CSRF',
    status: 403,
    message: 'This form has expired or was not sent from this site. Go back, reload the page and try again.',
  },
  flowExpired: {
    code: 'PORTAL_ERR_FLOW_EXPIRED',
    status: 409,
    message: 'Your answers were not kept because too much time passed. Please start again.',
  },
  tooManyRequests: {
    code: 'PORTAL_ERR_RATE_LIMITED',
    status: 429,
    message: 'Too many requests from your network. Wait a minute and try again.',
  },
  payloadTooLarge: { code: 'PORTAL_ERR_TOO_LARGE', status: 413, message: 'What you sent is too large.' },
  streamsFull: {
    code: 'PORTAL_ERR_STREAMS_FULL',
    status: 503,
    message: 'Live updates are busy just now. Reload the page to see the latest status, or wait a minute.',
  },
  badRequest: { code: 'PORTAL_ERR_BAD_REQUEST', status: 400, message: BAD_REQUEST },
  uploadEmpty: {
    code: 'PORTAL_ERR_UPLOAD_EMPTY',
    status: 422,
    message: 'No file was sent, or the file is empty. Go back, choose the file and try again.',
  },
  uploadTooLarge: {
    code: 'PORTAL_ERR_UPLOAD_TOO_LARGE',
    status: 413,
    message: (limitBytes: number) =>
      `The file is too large: this form takes files up to ${megabytes(limitBytes)}. Go back and choose a smaller file.`,
  },
  /** `accepted`: the kinds of file the form takes, in words ("PDF", "JPEG image"). */
  uploadTypeRefused: {
    code: 'PORTAL_ERR_UPLOAD_TYPE',
    status: 415,
    message: (accepted: readonly string[]) =>
      `This kind of file is not accepted here, whatever its name says. Send one of these: ${accepted.join(', ')}.`,
  },
  internal: {
    code: 'PORTAL_ERR_INTERNAL',
    status: 500,
    message: 'Something went wrong on our side. Your answers were not lost; try again.',
  },
});

/**
 * A request the web framework refused before our code saw it (an unknown media type, a
 * malformed header): the bad-request entry, with the framework's own 4xx status.
 */
export function refusedByFramework(statusCode: number): PortalError {
  return new PortalError(errors.badRequest.code, statusCode, BAD_REQUEST);
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.floor(bytes / 1024)} KB`;
}
