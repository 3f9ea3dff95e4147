/** Cookies as a browser keeps them, for the test and benchmark clients. */

export interface Cookie {
  name: string;
  value: string;
  expires?: Date;
  maxAge?: number;
}

/** One `Set-Cookie` line: the name, the value, and what says when it ends. */
export function parseSetCookie(line: string): Cookie {
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  const at = pair.indexOf('=');
  const cookie: Cookie = { name: pair.slice(0, at), value: pair.slice(at + 1) };
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=');
    if (key.toLowerCase() === 'max-age') cookie.maxAge = Number(value);
    if (key.toLowerCase() === 'expires') cookie.expires = new Date(value);
  }
  return cookie;
}

/** Whether a cookie just set is in fact a deletion (empty, expired, or no age left). */
export function isCleared(cookie: Cookie): boolean {
  return (
    cookie.value === '' ||
    (cookie.expires !== undefined && cookie.expires.getTime() < Date.now()) ||
    cookie.maxAge === 0
  );
}
