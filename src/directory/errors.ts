import { defineErrors, PortalError } from '../platform/errors.ts';

/**
 * A rule of the directory said no. The console's forms catch it to show the message beside
 * `field` (or above the form); the CLI prints it; anywhere else it is a 422 page.
 */
export class DirectoryRuleError extends PortalError {
  /** The form field the message belongs to; none: the whole form. */
  field?: string;

  /** Puts the message beside a form field. */
  at(field: string): this {
    this.field = field;
    return this;
  }
}

/** `what`: the kind of address, as the form labels it ("Redirect URI"). */
const url = (rule: string) => (what: string, value: string) => `${what} ${rule}: ${value}`;

export const directoryErrors = defineErrors(
  'DIRECTORY',
  {
    organizationInactive: {
      code: 'DIRECTORY_ERR_ORGANIZATION_INACTIVE',
      status: 422,
      message: (organization: string) =>
        `${organization} is inactive. The Department can make it active again on its page`,
    },
    noSuchRole: {
      code: 'DIRECTORY_ERR_NO_SUCH_ROLE',
      status: 422,
      message: (application: string, role: string) => `${application} has no role "${role}"`,
    },
    profileNotCompleted: {
      code: 'DIRECTORY_ERR_PROFILE_NOT_COMPLETED',
      status: 422,
      message:
        'This profile is not completed yet: the person completes it with Create a profile, where they choose their own password',
    },
    urlNotAbsolute: {
      code: 'DIRECTORY_ERR_URL_NOT_ABSOLUTE',
      status: 422,
      message: (what: string, value: string) => `${what} "${value}" is not an absolute URL`,
    },
    urlNotHttps: { code: 'DIRECTORY_ERR_URL_NOT_HTTPS', status: 422, message: url('must use https') },
    urlHasFragment: { code: 'DIRECTORY_ERR_URL_FRAGMENT', status: 422, message: url('must not have a #fragment') },
    clientIdMalformed: {
      code: 'DIRECTORY_ERR_CLIENT_ID',
      status: 422,
      message:
        'Client id must be 2 to 63 lower-case letters, digits, hyphens or underscores, starting with a letter or digit',
    },
    clientIdTaken: {
      code: 'DIRECTORY_ERR_CLIENT_ID_TAKEN',
      status: 422,
      message: (clientId: string) =>
        `An application with client id ${clientId} is already registered. To give it a new secret, use its page`,
    },
    partOfPortalNotRegistered: {
      code: 'DIRECTORY_ERR_PART_OF_PORTAL_REGISTER',
      status: 422,
      message: (clientId: string) => `${clientId} is part of the portal itself and cannot be registered`,
    },
    partOfPortalNotEdited: {
      code: 'DIRECTORY_ERR_PART_OF_PORTAL_EDIT',
      status: 422,
      message: (application: string) => `${application} is part of the portal itself and cannot be edited`,
    },
    applicationNameMissing: {
      code: 'DIRECTORY_ERR_APPLICATION_NAME',
      status: 422,
      message: 'Enter the application’s name',
    },
    redirectUriMissing: {
      code: 'DIRECTORY_ERR_REDIRECT_URI_MISSING',
      status: 422,
      message: 'Enter at least one redirect URI',
    },
    roleMalformed: {
      code: 'DIRECTORY_ERR_ROLE_NAME',
      status: 422,
      message: (role: string) => `Role "${role}" may only use letters, digits, hyphens and underscores`,
    },
    roleStillGranted: {
      code: 'DIRECTORY_ERR_ROLE_STILL_GRANTED',
      status: 422,
      message: (role: string, holders: number) =>
        `Role "${role}" is still granted to ${holders === 1 ? '1 person' : `${holders} people`}. Revoke it first`,
    },
    noReplaceableSecret: {
      code: 'DIRECTORY_ERR_NO_REPLACEABLE_SECRET',
      status: 422,
      message: (application: string) => `${application} has no client secret the Department can replace`,
    },
    /** `problem`: what is wrong with the code, in words (organizations.ts `codeProblem`). */
    organizationCodeMalformed: {
      code: 'DIRECTORY_ERR_ORGANIZATION_CODE',
      status: 422,
      message: (problem: string) => problem,
    },
    noSuchDistrict: {
      code: 'DIRECTORY_ERR_NO_SUCH_DISTRICT',
      status: 422,
      message: (districtCode: string) => `There is no district with code ${districtCode}. Add the district first`,
    },
    organizationCodeTaken: {
      code: 'DIRECTORY_ERR_ORGANIZATION_CODE_TAKEN',
      status: 422,
      message: (code: string) => `An organization with code ${code} already exists`,
    },
    notADepartmentRole: {
      code: 'DIRECTORY_ERR_NOT_A_DEPARTMENT_ROLE',
      status: 422,
      message: (role: string, roles: readonly string[]) =>
        `"${role}" is not a department role: choose one of ${roles.join(', ')}`,
    },
    departmentRoleNeedsCompletedProfile: {
      code: 'DIRECTORY_ERR_DEPARTMENT_ROLE_PROFILE',
      status: 422,
      message: (userName: string) =>
        `${userName} has not completed their profile yet: department roles go to completed profiles only`,
    },
    lastConsoleAdministrator: {
      code: 'DIRECTORY_ERR_LAST_CONSOLE_ADMINISTRATOR',
      status: 422,
      message: (userName: string) =>
        `${userName} is the last console administrator: the system must keep one. Grant console-admin to someone else first`,
    },
  },
  (code, status, message) => new DirectoryRuleError(code, status, message),
);
