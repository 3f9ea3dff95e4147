import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { publicRoute } from '../platform/access.ts';
import { clientIp } from '../platform/http.tsx';
import type { Portal } from './context.ts';
import { errors } from '../platform/errors.ts';
import { parseForm, requiredText, secret } from '../platform/forms.ts';
import type { FieldErrors, FormValues } from '../platform/views/form.tsx';
import { checkNewPassword, replacePassword } from './accounts.ts';
import { loadFlow, revealOnce, type Flow, type FlowData } from './flow-repository.ts';
import { hashSecret } from './hashing.ts';
import { minutesUntil } from './account-locks.ts';
import { HintLockedPage } from './login-routes.tsx';
import { accountKey } from './login.ts';
import { backgroundFields, contactFields, identityFields, parseDateOfBirth } from './person-fields.ts';
import { findProfileById } from './profile-repository.ts';
import {
  answerHint,
  canVisit,
  finishProfile,
  modeOfPath,
  nextStep,
  saveAnswers,
  STEP_PATHS,
  stepPath,
  submitIdentity,
  type WizardStep,
} from './profile-wizard.ts';
import { clearFailures } from './throttle-repository.ts';
import * as pages from './wizard-pages.tsx';

/**
 * HTTP for the Create Profile and Retrieve User Name / Reset Password flows. Each handler
 * parses one page, calls one wizard step and redirects (post/redirect/get).
 */

const identitySchemas = {
  ...identityFields,
  dobMonth: z.string(),
  dobDay: z.string(),
  dobYear: z.string(),
};

const hintFields = {
  hintQuestion: requiredText('a hint question', 200, 'Enter a password hint question'),
  hintAnswer: secret('Enter the answer to your hint question', 100),
};
const passwordFields = {
  password: secret('Enter a password'),
  passwordConfirm: secret('Enter the password again'),
};

export function registerWizardRoutes(app: FastifyInstance, portal: Portal) {
  const { db } = portal;
  const policy = portal.accounts.policy;

  const open = publicRoute('Create Profile and Retrieve User Name / Reset Password: anyone');

  const currentFlow = (request: FastifyRequest) => loadFlow(db, request.cookies[portal.cookies.flow]);

  /**
   * The flow, if this page may be shown now; otherwise the answer is sent: a redirect to
   * where the flow stands (or to its start), or, when the browser had answers that are no
   * longer kept, a page saying so in the words of the flow the address belongs to.
   */
  async function guard(request: FastifyRequest, reply: FastifyReply, step: WizardStep): Promise<Flow | null> {
    const flow = await currentFlow(request);
    const path = request.view.path;
    if (!flow) {
      const mode = modeOfPath(path);
      if (request.method === 'POST' || request.cookies[portal.cookies.flow]) {
        reply.page(
          <pages.FlowExpiredPage ctx={request.view} mode={mode} minutes={portal.config.wizardTtlMs / 60_000} />,
          request.method === 'POST' ? 409 : 200,
        );
      } else {
        reply.redirect(stepPath('identity', mode), 303);
      }
      return null;
    }
    if (canVisit(flow.data, step)) {
      // The same step may live at another address in the other flow (a partial match).
      if (path === stepPath(step, flow.data.mode)) return flow;
      reply.redirect(stepPath(step, flow.data.mode), 303);
      return null;
    }
    reply.redirect(stepPath(nextStep(flow.data), flow.data.mode), 303);
    return null;
  }

  const goToNext = (reply: FastifyReply, data: FlowData) => reply.redirect(stepPath(nextStep(data), data.mode), 303);

  // Step 1, identity: two entry points, one step (SPEC P4: recovery is the same matching).
  for (const mode of ['create', 'recover'] as const) {
    const path = stepPath('identity', mode);
    const showIdentity = async (request: FastifyRequest, reply: FastifyReply) => {
      const flow = await currentFlow(request);
      const changing = Boolean(flow?.data.identity && !flow.data.outcome && flow.data.mode === mode);
      const values = changing ? identityValues(flow!.data) : {};
      return reply.page(
        <pages.IdentityPage
          ctx={request.view}
          mode={mode}
          hints={policy.allowsHints}
          values={values}
          ssnAgain={changing}
        />,
      );
    };
    app.get(path, open, showIdentity);
    // The address the form posts to: after an error it is in the address bar, so a reload or a bookmark asks for it.
    app.get(`${path}/identity`, open, showIdentity);
    app.post(`${path}/identity`, open, async (request, reply) => {
      const form = parseForm(identitySchemas, request.body);
      const dob = parseDateOfBirth(form.values);
      const fieldErrors = orderedIdentityErrors(form.ok ? {} : form.errors, 'error' in dob ? dob.error : undefined);
      if (!form.ok || 'error' in dob) {
        return reply.page(
          <pages.IdentityPage
            ctx={request.view}
            mode={mode}
            hints={policy.allowsHints}
            values={form.values}
            errors={fieldErrors}
          />,
          422,
        );
      }
      const flow = await currentFlow(request);
      const result = await submitIdentity(
        portal.wizard,
        flow,
        mode,
        {
          firstName: form.data.firstName,
          middleName: form.data.middleName,
          lastName: form.data.lastName,
          dateOfBirth: dob.date,
          ssnDigits: form.data.ssn,
        },
        clientIp(request),
      );
      if (result.kind === 'locked')
        return reply.page(<pages.MatchingPausedPage ctx={request.view} minutes={minutesUntil(result.until)} />, 429);
      reply.setCookie(portal.cookies.flow, result.token, portal.cookieOptions);
      return goToNext(reply, result.data);
    });
  }

  app.get(STEP_PATHS.contact, open, async (request, reply) => {
    const flow = await guard(request, reply, 'contact');
    if (!flow) return reply;
    return reply.page(
      <pages.ContactPage ctx={request.view} flow={flow.data} values={nullsToEmpty(flow.data.contact ?? {})} />,
    );
  });
  app.post(STEP_PATHS.contact, open, async (request, reply) => {
    const flow = await guard(request, reply, 'contact');
    if (!flow) return reply;
    const form = parseForm(contactFields, request.body);
    if (!form.ok)
      return reply.page(
        <pages.ContactPage ctx={request.view} flow={flow.data} values={form.values} errors={form.errors} />,
        422,
      );
    return goToNext(reply, await saveAnswers(portal.wizard, flow, { contact: form.data }));
  });

  app.get(STEP_PATHS.background, open, async (request, reply) => {
    const flow = await guard(request, reply, 'background');
    if (!flow) return reply;
    return reply.page(<pages.BackgroundPage ctx={request.view} values={nullsToEmpty(flow.data.background ?? {})} />);
  });
  app.post(STEP_PATHS.background, open, async (request, reply) => {
    const flow = await guard(request, reply, 'background');
    if (!flow) return reply;
    const form = parseForm(backgroundFields, request.body);
    if (!form.ok)
      return reply.page(<pages.BackgroundPage ctx={request.view} values={form.values} errors={form.errors} />, 422);
    return goToNext(reply, await saveAnswers(portal.wizard, flow, { background: form.data }));
  });

  app.get(STEP_PATHS.security, open, async (request, reply) => {
    const flow = await guard(request, reply, 'security');
    if (!flow) return reply;
    const values = { hintQuestion: flow.data.security?.hintQuestion ?? undefined };
    return reply.page(<pages.SecurityPage ctx={request.view} flow={flow.data} policy={policy} values={values} />);
  });
  app.post(STEP_PATHS.security, open, async (request, reply) => {
    const flow = await guard(request, reply, 'security');
    if (!flow) return reply;
    const form = parseForm(policy.allowsHints ? { ...hintFields, ...passwordFields } : passwordFields, request.body);
    let fieldErrors: FieldErrors = form.ok ? {} : { ...form.errors };
    if (form.ok) {
      const data = form.data as { password: string; passwordConfirm: string };
      fieldErrors = await checkNewPassword(db, portal.accounts, {
        password: data.password,
        passwordConfirm: data.passwordConfirm,
      });
    }
    if (!form.ok || Object.keys(fieldErrors).length > 0) {
      const values = { hintQuestion: form.values.hintQuestion };
      return reply.page(
        <pages.SecurityPage ctx={request.view} flow={flow.data} policy={policy} values={values} errors={fieldErrors} />,
        422,
      );
    }
    const data = form.data as { password: string; hintQuestion?: string; hintAnswer?: string };
    // Hashed now: the wizard's stored answers never hold a password or hint answer in clear.
    const [passwordHash, hintAnswerHash] = await Promise.all([
      hashSecret(data.password),
      data.hintAnswer === undefined ? null : hashSecret(data.hintAnswer),
    ]);
    const security = { hintQuestion: data.hintQuestion ?? null, hintAnswerHash, passwordHash };
    return goToNext(reply, await saveAnswers(portal.wizard, flow, { security }));
  });

  app.get(STEP_PATHS.review, open, async (request, reply) => {
    const flow = await guard(request, reply, 'review');
    if (!flow) return reply;
    return reply.page(<pages.ReviewPage ctx={request.view} flow={flow.data} />);
  });
  app.post(STEP_PATHS.review, open, async (request, reply) => {
    const flow = await guard(request, reply, 'review');
    if (!flow) return reply;
    const result = await finishProfile(portal.wizard, flow.token, clientIp(request));
    if (result.kind === 'expired')
      return reply.page(
        <pages.FlowExpiredPage ctx={request.view} mode={flow.data.mode} minutes={portal.config.wizardTtlMs / 60_000} />,
        409,
      );
    if (result.kind === 'rematched') return goToNext(reply, result.data);
    return reply.redirect(STEP_PATHS.done, 303);
  });

  app.get(STEP_PATHS.done, open, async (request, reply) => {
    const flow = await guard(request, reply, 'done');
    if (!flow) return reply;
    const profile = flow.resultProfileId ? await findProfileById(db, flow.resultProfileId) : undefined;
    if (!profile || (flow.data.outcome !== 'created' && flow.data.outcome !== 'completed')) throw errors.flowExpired();
    const credentials = (await revealOnce(db, flow.token, 'done'))
      ? { userName: profile.user_name, mepid: profile.mepid }
      : null;
    return reply.page(<pages.DonePage ctx={request.view} outcome={flow.data.outcome} credentials={credentials} />);
  });

  for (const mode of ['create', 'recover'] as const) {
    app.get(stepPath('partial-match', mode), open, async (request, reply) => {
      const flow = await guard(request, reply, 'partial-match');
      if (!flow) return reply;
      return reply.page(<pages.PartialMatchPage ctx={request.view} mode={flow.data.mode} />);
    });

    app.get(stepPath('exact-match', mode), open, async (request, reply) => {
      const flow = await guard(request, reply, 'exact-match');
      if (!flow) return reply;
      const profile = await matchedProfile(flow);
      const userName = (await revealOnce(db, flow.token, 'exact-match')) ? profile.user_name : null;
      const canAnswerHint = policy.allowsHints && Boolean(profile.hint_answer_hash);
      return reply.page(
        <pages.ExactMatchPage
          ctx={request.view}
          mode={flow.data.mode}
          userName={userName}
          canAnswerHint={canAnswerHint}
        />,
      );
    });
  }

  app.get(STEP_PATHS.hint, open, async (request, reply) => {
    const flow = await guard(request, reply, 'hint');
    if (!flow) return reply;
    const profile = await matchedProfile(flow);
    if (!policy.allowsHints || !profile.hint_question)
      return reply.redirect(stepPath('exact-match', flow.data.mode), 303);
    return reply.page(<pages.HintPage ctx={request.view} question={profile.hint_question} />);
  });
  app.post(STEP_PATHS.hint, open, async (request, reply) => {
    const flow = await guard(request, reply, 'hint');
    if (!flow) return reply;
    const profile = await matchedProfile(flow);
    if (!policy.allowsHints || !profile.hint_question)
      return reply.redirect(stepPath('exact-match', flow.data.mode), 303);
    const form = parseForm({ hintAnswer: secret('Enter the answer to your hint question', 100) }, request.body);
    if (!form.ok)
      return reply.page(
        <pages.HintPage ctx={request.view} question={profile.hint_question} errors={form.errors} />,
        422,
      );
    const result = await answerHint(portal.wizard, flow, profile, form.data.hintAnswer, clientIp(request));
    if (result.kind === 'locked')
      return reply.page(<HintLockedPage ctx={request.view} minutes={minutesUntil(result.until)} />, 429);
    if (result.kind === 'wrong') {
      const message =
        'That answer does not match. It must be exactly as you gave it: upper and lower case, spaces and punctuation count';
      return reply.page(
        <pages.HintPage ctx={request.view} question={profile.hint_question} errors={{ hintAnswer: message }} />,
        422,
      );
    }
    return reply.redirect(STEP_PATHS['new-password'], 303);
  });

  app.get(STEP_PATHS['new-password'], open, async (request, reply) => {
    const flow = await guard(request, reply, 'new-password');
    if (!flow) return reply;
    return reply.page(<pages.NewPasswordPage ctx={request.view} policy={policy} />);
  });
  app.post(STEP_PATHS['new-password'], open, async (request, reply) => {
    const flow = await guard(request, reply, 'new-password');
    if (!flow) return reply;
    const profile = await matchedProfile(flow);
    const form = parseForm(passwordFields, request.body);
    const fieldErrors = form.ok
      ? await checkNewPassword(db, portal.accounts, {
          ...form.data,
          userName: profile.user_name,
          profileId: profile.id,
        })
      : form.errors;
    if (!form.ok || Object.keys(fieldErrors).length > 0) {
      return reply.page(<pages.NewPasswordPage ctx={request.view} policy={policy} errors={fieldErrors} />, 422);
    }
    await replacePassword(db, profile.id, form.data.password, { type: 'password.reset', ip: clientIp(request) });
    await portal.singleSignOut({ accountId: profile.id });
    // Proving who they are through the hint question also lifts a lockout on the account.
    await clearFailures(db, accountKey(profile.user_name));
    await saveAnswers(portal.wizard, flow, { outcome: 'password-changed' });
    return reply.redirect(STEP_PATHS['password-changed'], 303);
  });

  app.get(STEP_PATHS['password-changed'], open, async (request, reply) => {
    const flow = await guard(request, reply, 'password-changed');
    if (!flow) return reply;
    const profile = await matchedProfile(flow);
    const userName = (await revealOnce(db, flow.token, 'password-changed')) ? profile.user_name : null;
    return reply.page(<pages.PasswordChangedPage ctx={request.view} userName={userName} />);
  });

  async function matchedProfile(flow: Flow) {
    const match = flow.data.match;
    const profile = match && match.kind !== 'none' ? await findProfileById(db, match.profileId) : undefined;
    if (!profile) throw errors.flowExpired();
    return profile;
  }
}

/** Errors in the order the fields appear: names, date of birth, SSN. */
function orderedIdentityErrors(fieldErrors: FieldErrors, dobError: string | undefined): FieldErrors {
  const ordered: FieldErrors = {};
  for (const name of ['firstName', 'middleName', 'lastName']) if (fieldErrors[name]) ordered[name] = fieldErrors[name];
  if (dobError) ordered.dobMonth = dobError;
  if (fieldErrors.ssn) ordered.ssn = fieldErrors.ssn;
  return ordered;
}

function identityValues(data: FlowData): FormValues {
  const identity = data.identity!;
  const [year, month, day] = identity.dateOfBirth.split('-');
  return {
    firstName: identity.firstName,
    middleName: identity.middleName ?? undefined,
    lastName: identity.lastName,
    dobMonth: String(Number(month)),
    dobDay: String(Number(day)),
    dobYear: year,
  };
}

function nullsToEmpty(values: Record<string, string | null>): FormValues {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v ?? undefined]));
}
