/**
 * Every error a person can meet, created here once with a code, an HTTP status and the
 * message shown to them. Callers throw by name; tests assert the code.
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

const define = (code: string, statusCode: number, message: string) => () => new PortalError(code, statusCode, message);

export const errors = {
  forbidden: define('PORTAL_ERR_FORBIDDEN', 403, 'Your account does not have permission to see this page or do this.'),
  beyondReach: define(
    'PORTAL_ERR_BEYOND_REACH',
    403,
    'This person has powers beyond yours: a Department role, or Directory Administrator rights or application roles in organizations you do not administer. You can still take away their roles in your organizations or their place on your staff; anything else only the Department can do for them: call the Department help desk.',
  ),
  notFound: define('PORTAL_ERR_NOT_FOUND', 404, 'We could not find that page.'),
  csrf: define(
    'PORTAL_ERR_CSRF',
    403,
    'This form has expired or was not sent from this site. Go back, reload the page and try again.',
  ),
  flowExpired: define(
    'PORTAL_ERR_FLOW_EXPIRED',
    409,
    'Your answers were not kept because too much time passed. Please start again.',
  ),
  tooManyRequests: define(
    'PORTAL_ERR_RATE_LIMITED',
    429,
    'Too many requests from your network. Wait a minute and try again.',
  ),
  payloadTooLarge: define('PORTAL_ERR_TOO_LARGE', 413, 'What you sent is too large.'),
  badRequest: define('PORTAL_ERR_BAD_REQUEST', 400, 'What you sent could not be read. Go back and try again.'),
  uploadEmpty: define(
    'PORTAL_ERR_UPLOAD_EMPTY',
    422,
    'No file was sent, or the file is empty. Go back, choose the file and try again.',
  ),
  uploadTooLarge: (limitBytes: number) =>
    new PortalError(
      'PORTAL_ERR_UPLOAD_TOO_LARGE',
      413,
      `The file is too large: this form takes files up to ${megabytes(limitBytes)}. Go back and choose a smaller file.`,
    ),
  /** `accepted`: the kinds of file the form takes, in words ("PDF", "JPEG image"). */
  uploadTypeRefused: (accepted: readonly string[]) =>
    new PortalError(
      'PORTAL_ERR_UPLOAD_TYPE',
      415,
      `This kind of file is not accepted here, whatever its name says. Send one of these: ${accepted.join(', ')}.`,
    ),
};

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Math.floor(bytes / 1024)} KB`;
}
