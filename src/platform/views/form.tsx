import type { ComponentChildren } from 'preact';
import { Layout, type ViewContext } from './layout.tsx';
import { PostForm } from './post-form.tsx';

/** Field name → message, in the order the fields appear on the page. */
export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | undefined>;
/** The key of a message about the whole form, not one field: shown in the summary without a link. */
export const FORM_ERROR = '_form';

export interface Step {
  current: number;
  labels: string[];
}

interface FormPageProps {
  ctx: ViewContext;
  title: string;
  /** Shown above the heading, e.g. "Create a profile". */
  caption?: string;
  action: string;
  errors?: FieldErrors;
  step?: Step;
  submitLabel: string;
  intro?: ComponentChildren;
  after?: ComponentChildren;
  children?: ComponentChildren;
}

/**
 * The one form page of the product: step indicator, GOV.UK-style error summary
 * ("There is a problem", each message linking to its field), heading, fields, submit.
 */
export function FormPage(props: FormPageProps) {
  const errorEntries = Object.entries(props.errors ?? {});
  return (
    <Layout ctx={props.ctx} title={props.title} hasErrors={errorEntries.length > 0}>
      <div class="grid-row">
        <div class="grid-col-12 tablet:grid-col-8">
          {props.step && <StepIndicator step={props.step} />}
          {errorEntries.length > 0 && <ErrorSummary errors={errorEntries} />}
          {props.caption && <span class="portal-caption">{props.caption}</span>}
          <h1>{props.title}</h1>
          {props.intro}
          <PostForm
            ctx={props.ctx}
            class="usa-form usa-form--large"
            action={props.action}
            submitLabel={props.submitLabel}
          >
            {props.children}
          </PostForm>
          {props.after}
        </div>
      </div>
    </Layout>
  );
}

export function ErrorSummary({ errors }: { errors: Array<[string, string]> }) {
  return (
    <div class="usa-alert usa-alert--error portal-error-summary" role="alert" aria-labelledby="error-summary-title">
      <div class="usa-alert__body">
        <h2 class="usa-alert__heading" id="error-summary-title">
          There is a problem
        </h2>
        <ul class="usa-list usa-list--unstyled">
          {errors.map(([field, message]) => (
            <li key={field}>{field === FORM_ERROR ? message : <a href={`#${field}`}>{message}</a>}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}

export function StepIndicator({ step }: { step: Step }) {
  return (
    <div class="usa-step-indicator usa-step-indicator--counters-sm" aria-label="progress">
      <ol class="usa-step-indicator__segments">
        {step.labels.map((label, i) => {
          const state =
            i + 1 < step.current
              ? 'usa-step-indicator__segment--complete'
              : i + 1 === step.current
                ? 'usa-step-indicator__segment--current'
                : '';
          return (
            <li
              key={label}
              class={`usa-step-indicator__segment ${state}`}
              aria-current={i + 1 === step.current ? 'step' : undefined}
            >
              <span class="usa-step-indicator__segment-label">
                {label}
                {i + 1 < step.current && <span class="usa-sr-only"> completed</span>}
                {i + 1 > step.current && <span class="usa-sr-only"> not completed</span>}
              </span>
            </li>
          );
        })}
      </ol>
      <div class="usa-step-indicator__header">
        <h2 class="usa-step-indicator__heading">
          <span class="usa-step-indicator__heading-counter">
            <span class="usa-sr-only">Step</span>
            <span class="usa-step-indicator__current-step">{step.current}</span>{' '}
            <span class="usa-step-indicator__total-steps">of {step.labels.length}</span>
          </span>{' '}
          <span class="usa-step-indicator__heading-text">{step.labels[step.current - 1]}</span>
        </h2>
      </div>
    </div>
  );
}

interface FieldShell {
  name: string;
  label: string;
  hint?: string;
  error?: string | undefined;
  optional?: boolean;
}

function describedBy(name: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Shell({ field, children }: { field: FieldShell; children: ComponentChildren }) {
  return (
    <div class={`usa-form-group${field.error ? ' usa-form-group--error' : ''}`}>
      <label class={`usa-label${field.error ? ' usa-label--error' : ''}`} for={field.name}>
        {field.label}
        {field.optional && <span class="portal-optional"> (optional)</span>}
      </label>
      {field.hint && (
        <div class="usa-hint" id={`${field.name}-hint`}>
          {field.hint}
        </div>
      )}
      {field.error && (
        <span class="usa-error-message" id={`${field.name}-error`}>
          <span class="usa-sr-only">Error: </span>
          {field.error}
        </span>
      )}
      {children}
    </div>
  );
}

interface TextFieldProps extends FieldShell {
  value?: string | undefined;
  type?: 'text' | 'email' | 'tel' | 'password';
  autocomplete?: string;
  inputMode?: 'numeric' | 'text' | 'email' | 'tel';
  maxLength?: number;
  width?: 'sm' | 'md' | 'lg' | 'xl';
  spellcheck?: boolean;
}

export function TextField(props: TextFieldProps) {
  return (
    <Shell field={props}>
      <input
        class={`usa-input${props.width ? ` usa-input--${props.width}` : ''}${props.error ? ' usa-input--error' : ''}`}
        id={props.name}
        name={props.name}
        type={(props.type ?? 'text') as 'text'}
        // Passwords are never sent back to the browser, not even after an error.
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        aria-invalid={props.error ? 'true' : undefined}
      />
    </Shell>
  );
}

interface TextAreaFieldProps extends FieldShell {
  value?: string | undefined;
  rows?: number;
  spellcheck?: boolean;
}

export function TextAreaField(props: TextAreaFieldProps) {
  return (
    <Shell field={props}>
      <textarea
        class={`usa-textarea${props.error ? ' usa-input--error' : ''}`}
        id={props.name}
        name={props.name}
        rows={props.rows ?? 3}
        spellcheck={props.spellcheck}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        {props.value}
      </textarea>
    </Shell>
  );
}

interface SelectFieldProps extends FieldShell {
  value?: string | undefined;
  options: Array<[value: string, label: string]>;
  autocomplete?: string;
}

export function SelectField(props: SelectFieldProps) {
  return (
    <Shell field={props}>
      <select
        class={`usa-select${props.error ? ' usa-input--error' : ''}`}
        id={props.name}
        name={props.name}
        autocomplete={props.autocomplete}
        aria-describedby={describedBy(props.name, props.hint, props.error)}
        aria-invalid={props.error ? 'true' : undefined}
      >
        <option value="">- Select -</option>
        {props.options.map(([value, label]) => (
          <option key={value} value={value} selected={value === props.value}>
            {label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

interface DateFieldProps {
  /** Prefix of the three inputs: `${prefix}Month`, `${prefix}Day`, `${prefix}Year`. */
  prefix: string;
  legend: string;
  hint: string;
  values: FormValues;
  error?: string | undefined;
}

/** The memorable-date pattern: three labelled inputs in one fieldset. */
export function DateField({ prefix, legend, hint, values, error }: DateFieldProps) {
  const part = (suffix: string, label: string, max: number, width: string, autocomplete: string) => {
    const name = `${prefix}${suffix}`;
    return (
      <div class={`usa-form-group usa-form-group--${suffix.toLowerCase()}`}>
        <label class="usa-label" for={name}>
          {label}
        </label>
        <input
          class={`usa-input${width}${error ? ' usa-input--error' : ''}`}
          id={name}
          name={name}
          type="text"
          inputMode="numeric"
          maxLength={max}
          value={values[name]}
          autocomplete={autocomplete}
          aria-describedby={describedBy(prefix, hint, error)}
          aria-invalid={error ? 'true' : undefined}
        />
      </div>
    );
  };
  return (
    <fieldset class={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <legend class="usa-legend">{legend}</legend>
      <span class="usa-hint" id={`${prefix}-hint`}>
        {hint}
      </span>
      {error && (
        <span class="usa-error-message" id={`${prefix}-error`}>
          <span class="usa-sr-only">Error: </span>
          {error}
        </span>
      )}
      <div class="usa-memorable-date">
        {part('Month', 'Month', 2, '', 'bday-month')}
        {part('Day', 'Day', 2, '', 'bday-day')}
        {part('Year', 'Year', 4, ' usa-input--sm', 'bday-year')}
      </div>
    </fieldset>
  );
}
