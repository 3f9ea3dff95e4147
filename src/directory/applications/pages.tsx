import type { Application } from '../schema.ts';
import { FormPage, SelectField, TextField, TextAreaField, type FormValues } from '../../platform/views/form.tsx';
import { Layout, type ViewContext } from '../../platform/views/layout.tsx';
import { DataTable } from '../../platform/views/list.tsx';
import { PostForm } from '../../platform/views/post-form.tsx';
import { SummaryList } from '../../platform/views/summary-list.tsx';
import { hasReplaceableSecret, isPartOfPortal, signsInThroughPortal } from '../service.ts';
import { Notice, type FieldsInput, type FormInput } from '../shared-pages.tsx';

/** Applications (OIDC clients) and their roles (SPEC D5). */

export function ApplicationsPage({ ctx, applications }: { ctx: ViewContext; applications: Application[] }) {
  return (
    <Layout ctx={ctx} title="Applications and roles">
      <h1>Applications and roles</h1>
      <p>
        <a class="usa-button usa-button--outline" href="/directory/applications/new">
          Register an application
        </a>{' '}
        Or from a script: <code>npm run cli -- app add</code>
      </p>
      <DataTable
        caption="Applications"
        rows={applications}
        rowKey={(a) => a.id}
        columns={[
          {
            label: 'Application',
            rowHeader: true,
            cell: (a) => <a href={`/directory/applications/${a.id}`}>{a.name}</a>,
          },
          { label: 'Client id', cell: (a) => a.id },
          {
            label: 'Access',
            cell: (a) => (a.access === 'open' ? 'Open to every profile' : 'Needs a role in an organization'),
          },
          { label: 'Roles', cell: (a) => a.roles.join(', ') },
          {
            label: 'Signs in through the portal',
            cell: (a) => (isPartOfPortal(a) ? 'Part of the portal' : signsInThroughPortal(a) ? 'Yes' : 'Not yet'),
          },
        ]}
      />
    </Layout>
  );
}

export function RegisterApplicationPage({ ctx, values, errors }: FormInput) {
  return (
    <FormPage
      ctx={ctx}
      caption="Applications"
      title="Register an application"
      action="/directory/applications/new"
      errors={errors}
      submitLabel="Register application"
      intro={
        <p>
          The application signs people in through the portal with OpenID Connect (authorization code with PKCE). You
          will be shown its client secret once, to give to the application's administrators.
        </p>
      }
    >
      <TextField
        name="name"
        label="Name"
        hint="As people will see it on the portal home, like Gradebook"
        value={values.name}
        error={errors?.name}
      />
      <TextField
        name="clientId"
        label="Client id"
        hint="2 to 63 lower-case letters, digits, hyphens or underscores, like gradebook. It cannot change later"
        value={values.clientId}
        error={errors?.clientId}
        spellcheck={false}
        autocomplete="off"
        width="lg"
      />
      <ApplicationSettingsFields values={values} errors={errors} />
    </FormPage>
  );
}

export function ApplicationPage({
  ctx,
  application: a,
  notice = '',
}: {
  ctx: ViewContext;
  application: Application;
  notice?: string;
}) {
  const uris = (list: string[]) =>
    list.length > 0 ? (
      <ul class="usa-list usa-list--unstyled">
        {list.map((uri) => (
          <li key={uri}>{uri}</li>
        ))}
      </ul>
    ) : (
      'None'
    );
  return (
    <Layout ctx={ctx} title={a.name}>
      {notice === 'updated' && <Notice text="The application’s settings are saved." />}
      <span class="portal-caption">Applications</span>
      <h1>{a.name}</h1>
      {a.description && <p class="usa-intro">{a.description}</p>}
      {!isPartOfPortal(a) && (
        <p>
          <a href={`/directory/applications/${a.id}/edit`}>
            Edit settings<span class="usa-sr-only"> of {a.name}</span>
          </a>
        </p>
      )}
      <SummaryList
        rows={[
          { label: 'Client id', value: a.id },
          {
            label: 'Who may open it',
            value: a.access === 'open' ? 'Every profile' : 'Only people given a role in an organization',
          },
          { label: 'Roles', value: a.roles.join(', ') || 'None' },
          { label: 'Redirect URIs', value: uris(a.redirect_uris) },
          { label: 'Post-logout redirect URIs', value: uris(a.post_logout_redirect_uris) },
          { label: 'Back-channel logout URI', value: a.backchannel_logout_uri || 'None' },
          { label: 'Launch URL', value: a.launch_url || 'None' },
        ]}
      />
      {isPartOfPortal(a) ? (
        <p>{a.name} is part of the portal itself: its sign-in is managed by the portal.</p>
      ) : !hasReplaceableSecret(a) ? (
        <p>
          {a.name} does not sign in through the portal yet.{' '}
          <a href={`/directory/applications/new?clientId=${encodeURIComponent(a.id)}`}>Register it</a> with its redirect
          URIs to give it a client secret.
        </p>
      ) : (
        <>
          <h2>Client secret</h2>
          <p>
            If the secret may have leaked, issue a new one. The old secret stops working at once: the application cannot
            sign anyone in until its administrators install the new one.
          </p>
          <PostForm
            ctx={ctx}
            action={`/directory/applications/${a.id}/secret`}
            submitLabel="Issue a new client secret"
            look="secondary"
          />
        </>
      )}
    </Layout>
  );
}

export function ClientSecretPage({
  ctx,
  application,
  secret,
  issuer,
}: {
  ctx: ViewContext;
  application: Application;
  secret: string;
  issuer: string;
}) {
  return (
    <Layout ctx={ctx} title="Client secret">
      <h1>Client secret for {application.name}</h1>
      <p class="usa-intro">Give it to the application's administrators over a secure channel. It is shown only once.</p>
      <SummaryList
        rows={[
          { label: 'Client id', value: application.id, data: 'client-id' },
          { label: 'Client secret', value: secret, data: 'client-secret', class: 'portal-secret' },
          { label: 'Discovery', value: `${issuer}/.well-known/openid-configuration` },
        ]}
      />
      <a class="usa-button" href={`/directory/applications/${application.id}`}>
        Back to {application.name}
      </a>
    </Layout>
  );
}

/** The settings of an application, as registered and as edited (everything but its client id). */
export function ApplicationSettingsFields({ values, errors }: FieldsInput) {
  return (
    <>
      <SelectField
        name="access"
        label="Who may open it"
        options={[
          ['open', 'Every profile'],
          ['restricted', 'Only people given a role in an organization'],
        ]}
        value={values.access}
        error={errors?.access}
      />
      <TextField
        name="roles"
        label="Roles"
        optional
        hint="Separated by commas, like teacher, viewer. If empty: user"
        value={values.roles}
        error={errors?.roles}
        spellcheck={false}
      />
      <TextAreaField
        name="redirectUris"
        label="Redirect URIs"
        hint="One per line, exactly as the application sends them. https only"
        value={values.redirectUris}
        error={errors?.redirectUris}
        spellcheck={false}
      />
      <TextAreaField
        name="postLogoutRedirectUris"
        label="Post-logout redirect URIs"
        optional
        hint="One per line"
        value={values.postLogoutRedirectUris}
        error={errors?.postLogoutRedirectUris}
        spellcheck={false}
      />
      <TextField
        name="backchannelLogoutUri"
        label="Back-channel logout URI"
        optional
        hint="Where the portal tells the application that a person logged out"
        value={values.backchannelLogoutUri}
        error={errors?.backchannelLogoutUri}
        spellcheck={false}
      />
      <TextField
        name="launchUrl"
        label="Launch URL"
        optional
        hint="The link on the portal home"
        value={values.launchUrl}
        error={errors?.launchUrl}
        spellcheck={false}
      />
    </>
  );
}

/** What the edit form starts from: the stored settings, in the form's own shape. */
export function applicationFormValues(a: Application): FormValues {
  return {
    name: a.name,
    access: a.access,
    roles: a.roles.join(', '),
    redirectUris: a.redirect_uris.join('\n'),
    postLogoutRedirectUris: a.post_logout_redirect_uris.join('\n'),
    backchannelLogoutUri: a.backchannel_logout_uri ?? '',
    launchUrl: a.launch_url ?? '',
  };
}

export function EditApplicationPage({ ctx, application, values, errors }: FormInput & { application: Application }) {
  return (
    <FormPage
      ctx={ctx}
      caption={`Applications · client id ${application.id}`}
      title={`Edit ${application.name}`}
      action={`/directory/applications/${application.id}/edit`}
      errors={errors}
      submitLabel="Save settings"
      intro={
        <p>
          The client id and secret stay as they are. A role still granted to someone cannot be removed: revoke it first.
          Changing who may open it takes effect at each person's next sign-in to the application.
        </p>
      }
    >
      <TextField
        name="name"
        label="Name"
        hint="As people will see it on the portal home"
        value={values.name}
        error={errors?.name}
      />
      <ApplicationSettingsFields values={values} errors={errors} />
    </FormPage>
  );
}
