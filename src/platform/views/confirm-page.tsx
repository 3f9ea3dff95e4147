import type { ComponentChildren } from 'preact';
import { FormPage, type FieldErrors } from './form.tsx';
import type { ViewContext } from './layout.tsx';

/**
 * Actions that cannot be taken back ask first: the link opens one of these pages (a GET that
 * changes nothing), whose button posts the change. No JavaScript needed.
 */
export function ConfirmPage(props: {
  ctx: ViewContext;
  /** The question, e.g. "Reset the password of Jane Doe?". */
  title: string;
  caption: string;
  action: string;
  submitLabel: string;
  back: string;
  /** What will happen. */
  intro: ComponentChildren;
  /** Fields of the confirming form, if any. */
  children?: ComponentChildren;
  errors?: FieldErrors | undefined;
}) {
  return (
    <FormPage
      ctx={props.ctx}
      caption={props.caption}
      title={props.title}
      action={props.action}
      errors={props.errors}
      submitLabel={props.submitLabel}
      intro={props.intro}
      after={
        <p class="margin-top-3">
          <a href={props.back}>Cancel and go back</a>
        </p>
      }
    >
      {props.children}
    </FormPage>
  );
}
