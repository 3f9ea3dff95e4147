import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { registerApplication } from '../../src/directory/service.ts';
import { secretBox } from '../../src/platform/secrets.ts';
import { Browser, createProfile, startPortal, type TestPortal } from '../helpers/portal.ts';
import { listenAhead } from '../helpers/server.ts';

/**
 * Attack review s18 (S5): issue 13 added `birthdate` to the portal's `profile` scope so ELAR
 * can show it. `profile` is the scope CONTRACT.md tells every application to ask for, and the
 * portal grants every scope without asking the person: so every registered application (a
 * district's SIS, a vendor's tool) now receives each educator's date of birth in its ID token
 * and from userinfo. CONTRACT.md lists the claims an application receives; birthdate is not one.
 */
let portal: TestPortal;
let port: Awaited<ReturnType<typeof listenAhead>>;
let rp: oidc.Configuration;
let person: { userName: string };
const REDIRECT = 'http://127.0.0.1:9997/callback';

before(async () => {
  port = await listenAhead();
  portal = await startPortal({ PUBLIC_URL: port.origin });
  port.serve(portal.app);
  const secret = await registerApplication(
    portal.db,
    secretBox(portal.secretsKey),
    {
      id: 'district-sis',
      name: 'A district’s student information system',
      redirectUris: [REDIRECT],
      restricted: false,
      roles: [],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      launchUrl: null,
    },
    null,
  );
  rp = await oidc.discovery(new URL(port.origin), 'district-sis', undefined, oidc.ClientSecretBasic(secret), {
    execute: [oidc.allowInsecureRequests],
  });
  person = await createProfile(new Browser(portal.app), {
    firstName: 'Bea',
    lastName: 'Birthdate',
    dob: ['5', '6', '1985'],
    ssn: '885-12-3456',
  });
});
after(async () => {
  await portal.close();
  await port.close();
});

describe('the date of birth and the email go to ELAR only', () => {
  test('an application other than ELAR asking for `openid profile email` is not told the person’s date of birth or email', async () => {
    const b = new Browser(portal.app, '10.85.0.1', port.origin);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: REDIRECT,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    let res = await b.follow(await b.get(url.href));
    const returnTo = /name="returnTo" value="([^"]+)"/.exec(res.body)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(returnTo, 'the portal asks the person to log in');
    res = await b.follow(await b.post('/login', { username: person.userName, password: 'Secret123', returnTo }));
    assert.match(res.location ?? '', /^http:\/\/127\.0\.0\.1:9997\/callback\?code=/);
    const tokens = await oidc.authorizationCodeGrant(rp, new URL(res.location!), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = tokens.claims()!;
    assert.equal(claims.given_name, 'Bea', 'the contract’s profile claims are given');
    assert.equal(claims.birthdate, undefined, `the ID token tells a district's application the date of birth`);
    const userinfo = await oidc.fetchUserInfo(rp, tokens.access_token, claims.sub);
    assert.equal(userinfo.birthdate, undefined, 'userinfo tells it too');
    assert.equal(claims.email, undefined, `the ID token tells a district's application the email`);
    assert.equal(userinfo.email, undefined, 'userinfo tells the email');
  });
});
