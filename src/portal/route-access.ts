import { accessPolicy } from '../platform/access.ts';
import type { SignedInProfile } from './sessions.ts';
import { errors } from '../platform/errors.ts';

/**
 * The portal's own pages ask no permission: they are public, or the signed-in person's own
 * (`self`). The actor is the person of the session the portal's hook loaded.
 */
export const portalAccess = accessPolicy<SignedInProfile, never, never>({
  actor: (request) => request.session?.profile ?? null,
  authorize: () => {
    throw errors.forbidden();
  },
});
