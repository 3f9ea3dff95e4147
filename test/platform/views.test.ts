import assert from 'node:assert/strict';
import { test } from 'node:test';
import { h } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { ConfirmPage } from '../../src/platform/views/confirm-page.tsx';
import type { ViewContext } from '../../src/platform/views/layout.tsx';
import { PostForm } from '../../src/platform/views/post-form.tsx';
import { SummaryList } from '../../src/platform/views/summary-list.tsx';

/** The shared pieces of the pages: what a person (and a screen reader) gets from each. */

const ctx: ViewContext = {
  helpdesk: { phone: '800-555-0100', hours: '8 a.m. to 5 p.m.' },
  agency: {
    name: 'Department',
    jurisdiction: 'the Commonwealth',
    address: '1 Main Street',
    phone: '800-555-0101',
    tty: '800-555-0102',
    privacyUrl: 'https://example.gov/privacy',
    accessibilityUrl: 'https://example.gov/accessibility',
  },
  navigation: { signedIn: [], signedOut: [], logout: '/logout', footer: [] },
  user: { userName: 'CAdmin', displayName: 'Casey Admin' },
  csrfToken: () => 'token-123',
  path: '/',
};

/** The text a person reads, tags removed and white space folded. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

test('a Revoke button in a table row posts the CSRF token and the row it acts on, and names that row to a screen reader', () => {
  const html = renderToString(
    h(PostForm, {
      ctx,
      action: '/directory/department-roles/revoke',
      fields: { username: 'JDoe', role: 'help-desk' },
      submitLabel: 'Revoke',
      submitFor: 'Help desk from JDoe',
      look: 'unstyled',
    }),
  );
  assert.match(html, /^<form method="post" action="\/directory\/department-roles\/revoke" novalidate>/);
  assert.match(html, /<input type="hidden" name="_csrf" value="token-123"\/>/);
  assert.match(html, /<input type="hidden" name="username" value="JDoe"\/>/);
  assert.match(html, /<input type="hidden" name="role" value="help-desk"\/>/);
  assert.match(html, /<button class="usa-button usa-button--unstyled" type="submit">/);
  assert.equal(text(html), 'Revoke Help desk from JDoe');
  assert.match(html, /<span class="usa-sr-only"> Help desk from JDoe<\/span>/);
});

test('a form with fields puts them between its CSRF token and its button; the main action looks primary', () => {
  const html = renderToString(
    h(PostForm, { ctx, class: 'usa-form', action: '/grant', submitLabel: 'Grant role' }, h('h2', null, 'Grant a role')),
  );
  assert.match(html, /^<form class="usa-form" method="post" action="\/grant" novalidate>/);
  assert.match(
    html,
    /name="_csrf" value="token-123"\/><h2>Grant a role<\/h2><button class="usa-button" type="submit">/,
  );
  assert.equal(text(html), 'Grant a role Grant role');
});

test('a summary list pairs each label with its value, and marks a value for those who look it up', () => {
  const html = renderToString(
    h(SummaryList, {
      rows: [
        { label: 'User Name', value: 'JDoe', data: 'username' },
        { label: 'Client secret', value: 's3cret', data: 'client-secret', class: 'portal-secret' },
        { label: 'Roles', value: 'None' },
      ],
    }),
  );
  assert.equal(text(html), 'User Name JDoe Client secret s3cret Roles None');
  assert.match(html, /<dt>User Name<\/dt><dd data-username="true">JDoe<\/dd>/);
  assert.match(html, /<dd class="portal-secret" data-client-secret="true">s3cret<\/dd>/);
  assert.match(html, /<dt>Roles<\/dt><dd>None<\/dd>/);
});

test('a confirm page asks the question, says what will happen, posts only from its button and offers the way back', () => {
  const html = renderToString(
    h(ConfirmPage, {
      ctx,
      caption: 'Jane Doe (JDoe)',
      title: 'Sign Jane Doe out everywhere?',
      action: '/directory/people/p1/sessions/end',
      submitLabel: 'Sign out everywhere',
      back: '/directory/people/p1',
      intro: h('p', null, 'Every session of Jane Doe ends.'),
    }),
  );
  assert.match(html, /<title>Sign Jane Doe out everywhere\? - /);
  assert.match(html, /<h1>Sign Jane Doe out everywhere\?<\/h1><p>Every session of Jane Doe ends.<\/p>/);
  assert.match(
    html,
    /<form class="usa-form usa-form--large" method="post" action="\/directory\/people\/p1\/sessions\/end"/,
  );
  assert.match(html, /name="_csrf" value="token-123"/);
  assert.match(html, /<button class="usa-button" type="submit">Sign out everywhere<\/button><\/form>/);
  assert.match(html, /<a href="\/directory\/people\/p1">Cancel and go back<\/a>/);
  assert.equal((html.match(/<form /g) ?? []).length, 2, 'the confirming form and the header’s Log out form');
});
