import { HelpDeskPhone, Layout, type ViewContext } from './layout.tsx';

export function ErrorPage({ ctx, title, message }: { ctx: ViewContext; title: string; message: string }) {
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p class="usa-intro">{message}</p>
      <p>
        If this keeps happening, call the Licensure Help Desk at <HelpDeskPhone ctx={ctx} />, {ctx.helpdesk.hours}.
      </p>
      <p>
        <a href="/">Go to the portal home page</a>
      </p>
    </Layout>
  );
}
