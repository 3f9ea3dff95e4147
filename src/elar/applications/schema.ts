import type { ColumnType, Generated } from 'kysely';
import type { ApplicationState } from './transitions.ts';

/**
 * The application tables (migration 0016), in ELAR's schema `elar`. Named unqualified:
 * ELAR's handle is bound to its schema (`withSchema('elar')`).
 */

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface ApplicationTable {
  id: Generated<string>;
  /** 7 digits from a sequence: what a person quotes on the phone. */
  reference: Generated<string>;
  /** The person: the OpenID Connect `sub`, and the MEPID claim as it was when they started. */
  person_sub: string;
  person_mepid: string | null;
  /** Where notices about this application may be emailed: the claims' email, or the one given in personal details. */
  contact_email: string | null;
  state: ColumnType<ApplicationState, ApplicationState | undefined, ApplicationState>;
  version: Generated<number>;
  fee_cents: number | null;
  fee_schedule_version: number | null;
  payment_ref: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  submitted_at: NullableTimestamp;
  paid_at: NullableTimestamp;
  decided_at: NullableTimestamp;
  /** Set while a draft; a draft past it is deleted. */
  draft_expires_at: NullableTimestamp;
}

/** A license asked for in an application. `open` mirrors the application's state, for the one-open-application-per-license index. */
export interface ApplicationLicenseTable {
  application_id: string;
  position: number;
  person_sub: string;
  /** The license: a catalog offering's code (foreign key, migration 0018). */
  catalog_code: string;
  /** The catalog's type code (TMP, PRV, INI, PRO, MIL, END; foreign key). */
  type_code: string;
  /** A route code of the type's requirement template (OTHER-STATE, PREP…), checked by the service. */
  route: string;
  open: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ApplicationSectionTable {
  application_id: string;
  section: string;
  answers: ColumnType<unknown, string, string>;
  complete: boolean;
  updated_at: Timestamp;
}

export interface ApplicationGateItemTable {
  application_id: string;
  item: string;
  reported_at: Timestamp;
}

/** The timeline. Its id orders events and is the Server-Sent Events id. */
export interface ApplicationEventTable {
  id: Generated<string>;
  application_id: string;
  from_state: ApplicationState | null;
  to_state: ApplicationState;
  /** A transition's name, or `start` for the draft's first entry. */
  transition: string;
  /** Which words of wording.ts tell it. */
  text_key: string;
  /** `educator:<sub>`, `staff:<sub>` or `system:<job>`. */
  actor: string;
  reason: string | null;
  at: Timestamp;
  notified_at: NullableTimestamp;
}

export interface FeeScheduleTable {
  version: number;
  first_license_cents: number;
  additional_license_cents: number;
  effective_from: Date;
  effective_to: Date | null;
}

/** What ELAR has to tell a person outside any page they asked for: draft reminders, deletions. */
export interface NoticeTable {
  id: Generated<string>;
  person_sub: string;
  application_id: string | null;
  application_reference: string;
  kind: string;
  text: string;
  created_at: Timestamp;
  read_at: NullableTimestamp;
}

export type ApplicationTables = {
  application: ApplicationTable;
  application_license: ApplicationLicenseTable;
  application_section: ApplicationSectionTable;
  application_gate_item: ApplicationGateItemTable;
  application_event: ApplicationEventTable;
  fee_schedule: FeeScheduleTable;
  notice: NoticeTable;
};
