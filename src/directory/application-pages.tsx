import type { Application } from './schema.ts';
import { FormPage, SelectField, TextAreaField, TextField, type FieldErrors, type FormValues } from '../platform/views/form.tsx';
import type { ViewContext } from '../platform/views/layout.tsx';

/** The settings of an application, as registered and as edited (everything but its client id). */
export function ApplicationSettingsFields({ values, errors }: { values: FormValues; errors?: FieldErrors | undefined }) {
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
      <TextField name="roles" label="Roles" optional hint="Separated by commas, like teacher, viewer. If empty: user" value={values.roles} error={errors?.roles} spellcheck={false} />
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
      <TextField name="launchUrl" label="Launch URL" optional hint="The link on the portal home" value={values.launchUrl} error={errors?.launchUrl} spellcheck={false} />
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

export function EditApplicationPage({ ctx, application, values, errors }: { ctx: ViewContext; application: Application; values: FormValues; errors?: FieldErrors }) {
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
      <TextField name="name" label="Name" hint="As people will see it on the portal home" value={values.name} error={errors?.name} />
      <ApplicationSettingsFields values={values} errors={errors} />
    </FormPage>
  );
}
