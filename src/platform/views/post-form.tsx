import type { ComponentChildren } from 'preact';
import type { ViewContext } from './layout.tsx';

/** How a form's button looks: the page's main action, a lesser one, or a link-like one inside a table or a line of text. */
export type ButtonLook = 'primary' | 'secondary' | 'outline' | 'unstyled';

/**
 * The one form that posts a change: the CSRF field every POST needs, hidden fields that name
 * what it acts on, the visible fields, and the button. The server validates, so the browser's
 * own validation is off (its messages would be neither ours nor accessible in the same way).
 */
export function PostForm(props: {
  ctx: ViewContext;
  action: string;
  class?: string;
  /** Hidden fields naming what the change is about, e.g. the role a Revoke button in a table row revokes. */
  fields?: Record<string, string>;
  submitLabel: string;
  /** Words only a screen reader hears after the label, where the label alone is ambiguous (a Revoke in each row). */
  submitFor?: string;
  look?: ButtonLook;
  children?: ComponentChildren;
}) {
  const look = props.look ?? 'primary';
  return (
    <form class={props.class} method="post" action={props.action} noValidate>
      <input type="hidden" name="_csrf" value={props.ctx.csrfToken()} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {props.children}
      <button class={look === 'primary' ? 'usa-button' : `usa-button usa-button--${look}`} type="submit">
        {props.submitLabel}
        {props.submitFor && <span class="usa-sr-only"> {props.submitFor}</span>}
      </button>
    </form>
  );
}
