import { defineErrors } from '../platform/errors.ts';

/**
 * The single sign-on's errors. The provider's own error pages (`SSO_ERR_LOGOUT` … `SSO_ERR_REQUEST`)
 * are answered with the status oidc-provider chose (400 for each of these).
 */
export const ssoErrors = defineErrors('SSO', {
  signInExpired: {
    code: 'SSO_ERR_SIGN_IN_EXPIRED',
    status: 400,
    message: 'This sign-in has expired. Go back to the application and start again.',
  },
  logoutInvalid: {
    code: 'SSO_ERR_LOGOUT',
    status: 400,
    message:
      'This logout link is out of date or not valid. If your name still shows at the top of the portal, log out from there.',
  },
  unknownRedirectUri: {
    code: 'SSO_ERR_REDIRECT_URI',
    status: 400,
    message:
      'The application sent you to the portal from an address the portal does not know, so it cannot sign you in. Go back to the application and tell its help desk.',
  },
  unknownApplication: {
    code: 'SSO_ERR_UNKNOWN_APPLICATION',
    status: 400,
    message:
      'The portal does not know this application, so it cannot sign you in to it. Go back to the application and tell its help desk.',
  },
  invalidRequest: {
    code: 'SSO_ERR_REQUEST',
    status: 400,
    message:
      "The application's sign-in request was not complete, or it has expired. Go back to the application and start again.",
  },
});
