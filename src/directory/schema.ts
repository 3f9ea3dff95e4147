import type { DepartmentRoleTable } from './department-roles/schema.ts';
import type { ColumnType, Generated, Selectable } from 'kysely';

/** The directory's tables: organizations, their staff and administrators, applications and roles. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface OrganizationTable {
  id: string;
  code: string;
  name: string;
  type: 'district' | 'school' | 'other';
  district_id: string | null;
  town: string | null;
  phone: string | null;
  status: Generated<'active' | 'inactive'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ApplicationTable {
  id: string;
  name: string;
  description: string | null;
  access: 'open' | 'restricted';
  roles: string[];
  launch_url: string | null;
  client_secret_encrypted: string | null;
  redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  post_logout_redirect_uris: ColumnType<string[], string[] | undefined, string[]>;
  backchannel_logout_uri: string | null;
  created_at: Timestamp;
}

export interface DirectoryTables {
  organization: OrganizationTable;
  application: ApplicationTable;
  organization_member: {
    organization_id: string;
    profile_id: string;
    added_by: string | null;
    added_at: Timestamp;
    work_email: string | null;
    confirmed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  };
  role_grant: {
    id: Generated<string>;
    profile_id: string;
    organization_id: string;
    application_id: string;
    role: string;
    granted_by: string | null;
    granted_at: Timestamp;
  };
  directory_administrator: {
    organization_id: string;
    profile_id: string;
    email: string | null;
    phone: string | null;
    designated_by: string | null;
    designated_at: Timestamp;
  };
  department_role: DepartmentRoleTable;
}

export type Organization = Selectable<OrganizationTable>;
export type Application = Selectable<ApplicationTable>;
