import type { ComponentChildren } from 'preact';
import {
  SelectField,
  TextAreaField,
  TextField,
  type FieldErrors,
  type FormValues,
} from '../../../platform/views/form.tsx';
import { US_STATES } from '../../../platform/views/us-states.ts';
import { CHARACTER_QUESTIONS } from '../sections.ts';
import { CHARACTER_FIELDS, ROWS, type RowSection } from './sections-form.ts';

/**
 * The fields of each section's page. Every field has a visible label; errors sit by their
 * field and the page's summary links to them by the field's name.
 */

export interface FieldsProps {
  values: FormValues;
  errors: FieldErrors;
}

export const DEGREE_LEVELS: Array<[string, string]> = [
  ['associate', 'Associate degree'],
  ['bachelor', 'Bachelor’s degree'],
  ['master', 'Master’s degree'],
  ['doctorate', 'Doctorate'],
  ['other', 'Another degree'],
];

/** Yes or no, as radios in a fieldset; the first radio carries the group's name as its id (the summary's link). */
export function YesNo(props: {
  name: string;
  legend: string;
  hint?: string;
  value: string | undefined;
  error: string | undefined;
  /** Shown under the radios: a "yes" needs it (the explanation), so it is always there, JavaScript or not. */
  children?: ComponentChildren;
}) {
  const described = [props.hint ? `${props.name}-hint` : '', props.error ? `${props.name}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <fieldset class={`usa-fieldset usa-form-group${props.error ? ' usa-form-group--error' : ''}`}>
      <legend class="usa-legend">{props.legend}</legend>
      {props.hint && (
        <span class="usa-hint" id={`${props.name}-hint`}>
          {props.hint}
        </span>
      )}
      {props.error && (
        <span class="usa-error-message" id={`${props.name}-error`}>
          <span class="usa-sr-only">Error: </span>
          {props.error}
        </span>
      )}
      {(['yes', 'no'] as const).map((answer, i) => (
        <div class="usa-radio">
          <input
            class="usa-radio__input"
            type="radio"
            id={i === 0 ? props.name : `${props.name}-${answer}`}
            name={props.name}
            value={answer}
            checked={props.value === answer}
            aria-describedby={described || undefined}
            data-reveals={answer === 'yes' && props.children ? `${props.name}-reveal` : undefined}
          />
          <label class="usa-radio__label" for={i === 0 ? props.name : `${props.name}-${answer}`}>
            {answer === 'yes' ? 'Yes' : 'No'}
          </label>
        </div>
      ))}
      {props.children && (
        <div
          class="border-left-05 border-base-lighter padding-left-2 margin-left-1"
          id={`${props.name}-reveal`}
          data-reveal-for={props.name}
        >
          {props.children}
        </div>
      )}
    </fieldset>
  );
}

export function PersonalDetailsFields({ values, errors }: FieldsProps) {
  return (
    <>
      <TextField
        name="email"
        label="Email address"
        hint="We email news about your application here. Without one, you find the news in ELAR."
        type="email"
        autocomplete="email"
        spellcheck={false}
        optional
        value={values.email}
        error={errors.email}
      />
      <TextField
        name="phone"
        label="Phone number"
        hint="With its area code, like 617 555 0123"
        type="tel"
        autocomplete="tel"
        width="md"
        value={values.phone}
        error={errors.phone}
      />
      <fieldset class="usa-fieldset margin-top-4">
        <legend class="usa-legend usa-legend--large">Your mailing address</legend>
        <TextField
          name="addressLine1"
          label="Street address"
          autocomplete="address-line1"
          value={values.addressLine1}
          error={errors.addressLine1}
        />
        <TextField
          name="addressLine2"
          label="Street address line 2"
          autocomplete="address-line2"
          optional
          value={values.addressLine2}
          error={errors.addressLine2}
        />
        <TextField
          name="city"
          label="Town or city"
          autocomplete="address-level2"
          width="lg"
          value={values.city}
          error={errors.city}
        />
        <SelectField
          name="state"
          label="State"
          autocomplete="address-level1"
          options={US_STATES}
          value={values.state}
          error={errors.state}
        />
        <TextField
          name="postalCode"
          label="ZIP code"
          autocomplete="postal-code"
          inputMode="numeric"
          width="sm"
          value={values.postalCode}
          error={errors.postalCode}
        />
      </fieldset>
    </>
  );
}

/** What one row of each repeating section asks, and what a row is called ("degree 2"). */
const ROW_WORDS: Record<RowSection, { one: string; addLabel: string }> = {
  education: { one: 'Degree', addLabel: 'Add another degree' },
  tests: { one: 'Test', addLabel: 'Add another test' },
  employment: { one: 'Position', addLabel: 'Add another position' },
  'other-states': { one: 'License', addLabel: 'Add another license' },
};

function RowFields({ section, i, values, errors }: { section: RowSection; i: number } & FieldsProps) {
  const name = (field: string) => `${ROWS[section].list}.${i}.${field}`;
  const field = (key: string) => ({ name: name(key), value: values[name(key)], error: errors[name(key)] });
  switch (section) {
    case 'education':
      return (
        <>
          <SelectField {...field('level')} label="Kind of degree" options={DEGREE_LEVELS} />
          <TextField {...field('subject')} label="Subject" hint="For example, Biology" />
          <TextField {...field('institution')} label="College or university" />
          <TextField
            {...field('awarded')}
            label="When it was awarded"
            hint="Year and month, like 2019-06"
            inputMode="numeric"
            width="sm"
          />
        </>
      );
    case 'tests':
      return (
        <>
          <TextField
            {...field('name')}
            label="Name of the test"
            hint="For example, Communication and Literacy Skills, or Biology (13)"
          />
          <TextField
            {...field('date')}
            label="Date you took it"
            hint="Like 2021-05-14"
            inputMode="numeric"
            width="md"
          />
          <YesNo
            name={name('passed')}
            legend="Did you pass?"
            value={values[name('passed')]}
            error={errors[name('passed')]}
          />
        </>
      );
    case 'employment':
      return (
        <>
          <TextField {...field('employer')} label="School or district" />
          <TextField {...field('role')} label="Your role" hint="For example, Biology teacher, grades 9 to 12" />
          <TextField {...field('from')} label="When you started" hint="Year and month, like 2019-09" width="sm" />
          <TextField
            {...field('to')}
            label="When you finished"
            hint="Year and month, like 2023-06. Leave it blank if you work there now."
            optional
            width="sm"
          />
        </>
      );
    case 'other-states':
      return (
        <>
          <SelectField {...field('state')} label="State that issued it" options={US_STATES} />
          <TextField {...field('field')} label="Field and grade level" hint="For example, Biology 7-12" />
          <TextField {...field('licenseNumber')} label="License number" optional width="md" />
        </>
      );
  }
}

/**
 * The repeating rows of a section, each in its own fieldset with a Remove button, and an
 * "Add another" button: both post the form and come back with the rows changed, nothing saved.
 */
export function RowsFields({ section, rows, values, errors }: { section: RowSection; rows: number } & FieldsProps) {
  const words = ROW_WORDS[section];
  const { list, max } = ROWS[section];
  const shown = Math.max(rows, 1);
  return (
    <div id={list} tabIndex={-1}>
      {errors[list] && (
        <span class="usa-error-message" id={`${list}-error`}>
          <span class="usa-sr-only">Error: </span>
          {errors[list]}
        </span>
      )}
      {Array.from({ length: shown }, (_, i) => (
        <fieldset class="usa-fieldset portal-row" data-row={i}>
          <legend class="usa-legend usa-legend--large">
            {words.one} {i + 1}
          </legend>
          <RowFields section={section} i={i} values={values} errors={errors} />
          {shown > 1 && (
            <p class="margin-bottom-4">
              <button class="usa-button usa-button--unstyled" type="submit" name="action" value={`remove-${i}`}>
                Remove {words.one.toLowerCase()} {i + 1}
              </button>
            </p>
          )}
        </fieldset>
      ))}
      {shown < max && (
        <p>
          <button class="usa-button usa-button--outline" type="submit" name="action" value="add">
            {words.addLabel}
          </button>
        </p>
      )}
    </div>
  );
}

export function CharacterFields({ values, errors }: FieldsProps) {
  return (
    <>
      {CHARACTER_FIELDS.map((question) => (
        <YesNo
          name={`${question}.answer`}
          legend={CHARACTER_QUESTIONS[question]}
          value={values[`${question}.answer`]}
          error={errors[`${question}.answer`]}
        >
          <TextAreaField
            name={`${question}.explanation`}
            label="If you answered yes, explain what happened, when and where"
            hint="At least 10 characters. Leave it blank if you answered no."
            value={values[`${question}.explanation`]}
            error={errors[`${question}.explanation`]}
          />
        </YesNo>
      ))}
    </>
  );
}

export function AffidavitFields({ values, errors }: FieldsProps) {
  return (
    <>
      <div class={`usa-form-group${errors.agree ? ' usa-form-group--error' : ''}`}>
        {errors.agree && (
          <span class="usa-error-message" id="agree-error">
            <span class="usa-sr-only">Error: </span>
            {errors.agree}
          </span>
        )}
        <div class="usa-checkbox">
          <input
            class="usa-checkbox__input"
            type="checkbox"
            id="agree"
            name="agree"
            value="yes"
            checked={values.agree === 'yes'}
            aria-describedby={errors.agree ? 'agree-error' : undefined}
          />
          <label class="usa-checkbox__label" for="agree">
            I swear that everything I have told you in this application is true and complete. I understand that a false
            answer can lead to my application being denied or my license being revoked.
          </label>
        </div>
      </div>
      <TextField
        name="signature"
        label="Your full name, as your signature"
        autocomplete="name"
        value={values.signature}
        error={errors.signature}
      />
    </>
  );
}
