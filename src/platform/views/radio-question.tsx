import type { ComponentChildren } from 'preact';

/**
 * One question a page: radios in a fieldset whose legend is the page's heading (the GOV.UK
 * pattern), the chosen one checked again when the page comes back with an error. The error
 * summary links to the first radio, whose id is the question's name.
 */
export function RadioQuestion({
  name,
  question,
  hint,
  options,
  checked,
  error,
}: {
  name: string;
  question: string;
  hint?: ComponentChildren;
  options: Array<{ value: string; label: string; hint?: string | null }>;
  checked?: string | undefined;
  error?: string | undefined;
}) {
  const described = [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset
      class={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`}
      aria-describedby={described}
    >
      <legend class="usa-legend">
        <h1 class="margin-y-1">{question}</h1>
      </legend>
      {hint && (
        <span class="usa-hint" id={`${name}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span class="usa-error-message" id={`${name}-error`}>
          <span class="usa-sr-only">Error: </span>
          {error}
        </span>
      )}
      {options.map((option, i) => {
        const id = i === 0 ? name : `${name}-${option.value}`;
        return (
          <div class="usa-radio" key={option.value}>
            <input
              class="usa-radio__input"
              id={id}
              type="radio"
              name={name}
              value={option.value}
              checked={option.value === checked}
            />
            <label class="usa-radio__label" for={id}>
              {option.label}
              {option.hint && <span class="usa-checkbox__label-description">{option.hint}</span>}
            </label>
          </div>
        );
      })}
    </fieldset>
  );
}
