import { sql, type Kysely } from 'kysely';

/**
 * Applications for a license (issue 13), in ELAR's schema: the application with its state
 * and version, the licenses asked for, the task list's answers, the self-reported gate items,
 * the timeline, the versioned fee schedule and the notices about drafts.
 *
 * References come from a sequence: nextval is atomic across connections and instances and
 * never rolled back, so a reference is never handed out twice, even by an abandoned insert.
 * One open application per person and license is a unique partial index, not a check.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS elar`.execute(db);
  await sql`CREATE SEQUENCE elar.application_reference START 1000000 MINVALUE 1000000 MAXVALUE 9999999 NO CYCLE`.execute(
    db,
  );

  await sql`
    CREATE TABLE elar.fee_schedule (
      version integer PRIMARY KEY,
      first_license_cents integer NOT NULL CHECK (first_license_cents >= 0),
      additional_license_cents integer NOT NULL CHECK (additional_license_cents >= 0),
      effective_from timestamptz NOT NULL,
      effective_to timestamptz CHECK (effective_to > effective_from)
    )`.execute(db);
  // One schedule with no end: the one in force from its start until the next is added.
  await sql`CREATE UNIQUE INDEX fee_schedule_one_open_ended ON elar.fee_schedule ((true)) WHERE effective_to IS NULL`.execute(
    db,
  );
  // LICENSURE.md: $100 for the first license in an application, $25 for each additional one.
  await sql`
    INSERT INTO elar.fee_schedule (version, first_license_cents, additional_license_cents, effective_from)
    VALUES (1, 10000, 2500, '2000-01-01T00:00:00Z')`.execute(db);

  await sql`
    CREATE TABLE elar.application (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE DEFAULT nextval('elar.application_reference')::text,
      person_sub text NOT NULL,
      person_mepid text,
      contact_email text,
      state text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'awaiting-payment', 'not-ready',
        'ready-for-review', 'in-review', 'information-requested', 'approved', 'denied',
        'reconsideration-requested', 'withdrawn')),
      version integer NOT NULL DEFAULT 0,
      fee_cents integer CHECK (fee_cents >= 0),
      fee_schedule_version integer REFERENCES elar.fee_schedule (version),
      payment_ref text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      submitted_at timestamptz,
      paid_at timestamptz,
      decided_at timestamptz,
      draft_expires_at timestamptz,
      CHECK ((fee_cents IS NULL) = (fee_schedule_version IS NULL))
    )`.execute(db);
  await sql`CREATE INDEX application_person ON elar.application (person_sub, created_at DESC)`.execute(db);
  await sql`CREATE INDEX application_draft_expiry ON elar.application (draft_expires_at) WHERE state = 'draft'`.execute(
    db,
  );

  await sql`
    CREATE TABLE elar.application_license (
      application_id uuid NOT NULL REFERENCES elar.application (id) ON DELETE CASCADE,
      position integer NOT NULL CHECK (position >= 1),
      person_sub text NOT NULL,
      catalog_code text NOT NULL,
      license_type text NOT NULL,
      route text NOT NULL,
      open boolean NOT NULL DEFAULT true,
      PRIMARY KEY (application_id, position),
      UNIQUE (application_id, catalog_code)
    )`.execute(db);
  await sql`
    CREATE UNIQUE INDEX application_license_one_open
    ON elar.application_license (person_sub, catalog_code) WHERE open`.execute(db);

  await sql`
    CREATE TABLE elar.application_section (
      application_id uuid NOT NULL REFERENCES elar.application (id) ON DELETE CASCADE,
      section text NOT NULL,
      answers jsonb NOT NULL,
      complete boolean NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (application_id, section)
    )`.execute(db);

  await sql`
    CREATE TABLE elar.application_gate_item (
      application_id uuid NOT NULL REFERENCES elar.application (id) ON DELETE CASCADE,
      item text NOT NULL,
      reported_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (application_id, item)
    )`.execute(db);

  await sql`
    CREATE TABLE elar.application_event (
      id bigserial PRIMARY KEY,
      application_id uuid NOT NULL REFERENCES elar.application (id) ON DELETE CASCADE,
      from_state text,
      to_state text NOT NULL,
      transition text NOT NULL,
      text_key text NOT NULL,
      actor text NOT NULL,
      reason text,
      at timestamptz NOT NULL DEFAULT now(),
      -- Set by the one job run that tells the person, so a repeated run tells them nothing twice.
      notified_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX application_event_application ON elar.application_event (application_id, id)`.execute(db);

  await sql`
    CREATE TABLE elar.notice (
      id bigserial PRIMARY KEY,
      person_sub text NOT NULL,
      application_id uuid REFERENCES elar.application (id) ON DELETE SET NULL,
      application_reference text NOT NULL,
      kind text NOT NULL,
      text text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (application_reference, kind)
    )`.execute(db);
  await sql`CREATE INDEX notice_person ON elar.notice (person_sub, created_at DESC)`.execute(db);
}
