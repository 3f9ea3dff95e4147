import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** The portal's tables: profiles and what signing in, recovery and identity matching keep. */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ProfileTable {
  id: string;
  user_name: string;
  mepid: string;
  first_name: string;
  middle_name: string | null;
  last_name: string;
  first_name_key: string;
  last_name_key: string;
  date_of_birth: string | null;
  ssn_hash: string | null;
  ssn_last4: string | null;
  email: string | null;
  phone: string | null;
  address_line1: string | null;
  address_line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  previous_last_name: string | null;
  prior_license_number: string | null;
  password_hash: string | null;
  hint_question: string | null;
  hint_answer_hash: string | null;
  status: 'active' | 'precreated';
  must_change_password: Generated<boolean>;
  /** Set only for a temporary password (an administrator's reset); null otherwise. */
  password_expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PortalTables {
  profile: ProfileTable;
  issued_mepid: { mepid: string; issued_at: Timestamp };
  password_history: { id: Generated<string>; profile_id: string; password_hash: string; created_at: Timestamp };
  session: {
    id_hash: string;
    profile_id: string;
    created_at: Date;
    last_seen_at: Date;
    expires_at: Date;
    ip: string | null;
    user_agent: string | null;
  };
  flow_state: {
    id_hash: string;
    data: ColumnType<unknown, string, string>;
    hint_failures: Generated<number>;
    result_profile_id: string | null;
    created_at: Timestamp;
    expires_at: Date;
  };
  login_throttle: { key: string; failures: number; window_started_at: Date; locked_until: Date | null };
  match_conflict: {
    id: Generated<string>;
    profile_id: string;
    conflicting_fields: string[];
    submitted: ColumnType<unknown, string, string>;
    status: Generated<'open' | 'resolved'>;
    created_at: Timestamp;
    resolved_at: Date | null;
    resolved_by: string | null;
    attempts: Generated<number>;
    last_attempt_at: Generated<Date>;
    resolution_note: string | null;
  };
}

export type Profile = Selectable<ProfileTable>;
export type NewProfile = Insertable<ProfileTable>;
