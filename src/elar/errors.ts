import { defineErrors } from '../platform/errors.ts';

/** ELAR's errors (platform's generic ones, such as not found, are the platform's). */
export const elarErrors = defineErrors('ELAR', {
  signIn: {
    code: 'ELAR_ERR_SIGN_IN',
    status: 400,
    message: 'Signing in to ELAR did not complete. Go to ELAR and try again.',
  },
});
