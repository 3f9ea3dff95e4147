import { DateField, TextField, type FieldErrors, type FormValues } from '../platform/views/form.tsx';
import type { ViewContext } from '../platform/views/layout.tsx';
import { DataTable } from '../platform/views/list.tsx';
import type { MemberRow, StaffRow } from './repository.ts';

/** What the pages of Directory Administration share: notices, the staff table, the identity fields. */

/** What a form page of the console is given: the request's view, what was entered, and what was wrong with it. */
export interface FormInput {
  ctx: ViewContext;
  values: FormValues;
  errors?: FieldErrors | undefined;
}

/** What a group of fields within a form is given. */
export type FieldsInput = Omit<FormInput, 'ctx'>;

export const ORG_TYPES: Record<string, string> = {
  district: 'District',
  school: 'School',
  other: 'Other organization',
};

export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function Notice({ text }: { text: string }) {
  return (
    <div class="usa-alert usa-alert--success usa-alert--slim margin-bottom-3" role="status">
      <div class="usa-alert__body">
        <p class="usa-alert__text">{text}</p>
      </div>
    </div>
  );
}

export function StaffTable({ staff, members }: { staff: StaffRow[]; members?: { manyOrganizations: boolean } }) {
  if (staff.length === 0) return <p>No staff found.</p>;
  const member = (p: StaffRow) => p as MemberRow;
  return (
    <DataTable
      caption="Staff"
      rows={staff}
      rowKey={(p) => p.id}
      columns={[
        {
          label: 'Name',
          rowHeader: true,
          // Someone who has not confirmed is not within reach: no page, and nothing about their account.
          cell: (p) =>
            member(p).pending ? (
              `${p.last_name}, ${p.first_name}`
            ) : (
              <a href={`/directory/people/${p.id}`}>
                {p.last_name}, {p.first_name}
              </a>
            ),
        },
        { label: 'User Name', cell: (p) => (member(p).pending ? '' : p.user_name) },
        { label: 'MEPID', cell: (p) => (member(p).pending ? '' : p.mepid) },
        {
          label: 'Profile',
          cell: (p) =>
            member(p).pending
              ? 'Waiting for the person to confirm'
              : p.status === 'active'
                ? 'Active'
                : 'Not yet completed',
        },
        ...(members?.manyOrganizations
          ? [{ label: 'Organization', cell: (p: StaffRow) => member(p).organizations }]
          : []),
        ...(members ? [{ label: 'Work email', cell: (p: StaffRow) => member(p).work_email ?? '' }] : []),
      ]}
    />
  );
}

/** Name and date of birth, as adding a staff member and correcting a profile ask for them. */
export function NameAndBirthFields({ values, errors }: FieldsInput) {
  return (
    <>
      <TextField
        name="firstName"
        label="First name"
        value={values.firstName}
        error={errors?.firstName}
        spellcheck={false}
      />
      <TextField
        name="lastName"
        label="Last name"
        value={values.lastName}
        error={errors?.lastName}
        spellcheck={false}
      />
      <DateField
        prefix="dob"
        legend="Date of birth"
        hint="For example: 3 27 1985"
        values={values}
        error={errors?.dobMonth}
      />
    </>
  );
}
