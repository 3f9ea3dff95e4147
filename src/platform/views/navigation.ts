import type { Navigation } from './layout.tsx';

/**
 * The header and footer links of the one site the portal and ELAR make together, in the
 * order people look for them. Written once here because ELAR, when it runs as its own
 * process, shows the same header without importing the portal (its server sends the
 * portal's pages on to the issuer); only where Log out posts differs.
 */
export function standardNavigation(logout: string): Navigation {
  return {
    signedIn: [
      ['/', 'Home'],
      ['/elar', 'ELAR'],
      ['/account', 'Your account'],
      ['/help', 'Help'],
    ],
    signedOut: [
      ['/', 'Home'],
      ['/login', 'Log in'],
      ['/profile/new', 'Create a profile'],
      ['/help', 'Help'],
    ],
    logout,
    footer: [
      ['/help', 'Help with the portal'],
      ['/directory-administrators', 'Find your Directory Administrator'],
    ],
  };
}
