import type { ColumnType } from 'kysely';

/**
 * The Department's own staff roles (issue 12, section 3). A person may hold several; each
 * role gives only its part (src/directory/policy.ts `DEPARTMENT_ROLE_ACTIONS`).
 */
export const DEPARTMENT_ROLES = [
  'console-admin',
  'licensure-evaluator',
  'licensure-supervisor',
  'payments',
  'help-desk',
] as const;

export type DepartmentRole = (typeof DEPARTMENT_ROLES)[number];

export function isDepartmentRole(value: string): value is DepartmentRole {
  return (DEPARTMENT_ROLES as readonly string[]).includes(value);
}

/** What each role is called on the console page. */
export const DEPARTMENT_ROLE_NAMES: Record<DepartmentRole, string> = {
  'console-admin': 'Console administrator',
  'licensure-evaluator': 'Licensure evaluator',
  'licensure-supervisor': 'Licensure supervisor',
  payments: 'Payments',
  'help-desk': 'Help desk',
};

/**
 * The roles that work in ELAR: they reach it through the `roles` claim the portal issues for
 * the `elar` client (src/directory/access-repository.ts), not through the console.
 */
export const LICENSURE_ROLES: readonly DepartmentRole[] = ['licensure-evaluator', 'licensure-supervisor', 'payments'];

/** The application whose `roles` claim carries the licensure roles. */
export const LICENSURE_APPLICATION = 'elar';

/** One row per person and role (migrations/0010_department_roles.ts). */
export interface DepartmentRoleTable {
  profile_id: string;
  role: DepartmentRole;
  /** Null when granted from the command line or by the migration. */
  granted_by: string | null;
  granted_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
