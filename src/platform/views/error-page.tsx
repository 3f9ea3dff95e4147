import { HelpDeskPhone, Layout, type ViewContext } from './layout.tsx';

/** `code`: the error's registry code, for the help desk to look up (docs/operations.md). */
export function ErrorPage({
  ctx,
  title,
  message,
  code,
}: {
  ctx: ViewContext;
  title: string;
  message: string;
  code: string;
}) {
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="usa-intro">{message}</p>
      <p>
        If this keeps happening, call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
      </p>
      <p>
        Error code: <code data-error-code={code}>{code}</code>
      </p>
      <p>
        <a href="/">Go to the portal home page</a>
      </p>
    </Layout>
  );
}
