import { z } from 'zod';
import { optionalText } from '../../platform/forms.ts';
import { identityFields, ssnField } from '../../portal/index.ts';

/** A staff member as an administrator enters them (adding staff, correcting a profile). */
export const staffFields = {
  firstName: identityFields.firstName,
  lastName: identityFields.lastName,
  ssn: ssnField,
  dobMonth: z.string(),
  dobDay: z.string(),
  dobYear: z.string(),
  email: optionalText('email address', 254).refine(
    (s) => s === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
    'Enter an email address in the correct format, like name@example.com',
  ),
};
