import { Layout, type ViewContext } from '../platform/views/layout.tsx';
import { partialMatchCounter, type Counter, type ThrottleRule } from '../portal/index.ts';

/**
 * Adding staff finds a person by name, birth date and SSN, so a partial match tells an
 * administrator that the SSN they typed is not that person's (issue 11: an SSN oracle).
 * Its misses are counted like the public wizard's: per administrator, and per address
 * on the same counter as Create Profile, so one address gets one allowance for both.
 */
export interface StaffLookupRules {
  perAdministrator: ThrottleRule;
  perAddress: ThrottleRule;
}

export function staffLookupCounters(rules: StaffLookupRules, administratorId: string, ip: string | null): Counter[] {
  const counters: Counter[] = [{ key: `staff-lookup:${administratorId}`, rule: rules.perAdministrator }];
  if (ip !== null) counters.push(partialMatchCounter(ip, rules.perAddress));
  return counters;
}

export function StaffLookupPausedPage({
  ctx,
  orgCode,
  minutes,
}: {
  ctx: ViewContext;
  orgCode: string;
  minutes: number;
}) {
  return (
    <Layout ctx={ctx} title="Adding staff is paused" outcome="locked">
      <h1>Adding staff is paused</h1>
      <p class="usa-intro">
        Too many of the people entered here conflicted with existing profiles, so adding staff is paused for {minutes}{' '}
        {minutes === 1 ? 'minute' : 'minutes'}.
      </p>
      <p>
        Each conflict has been sent to the Department to resolve. Check the details with the person, then try again when
        the pause is over. Everything else in Directory Administration still works.
      </p>
      <p>
        <a href={`/directory/organizations/${orgCode}`}>Back to the organization</a>
      </p>
    </Layout>
  );
}

/**
 * The correction form's SSN check counts on the same counters (outside review F1): while
 * they are full, neither adds staff nor checks an SSN; corrections without one still work.
 */
export function IdentityChecksPausedPage({
  ctx,
  backTo,
  minutes,
}: {
  ctx: ViewContext;
  backTo: string;
  minutes: number;
}) {
  return (
    <Layout ctx={ctx} title="Identity checks are paused" outcome="locked">
      <h1>Identity checks are paused</h1>
      <p class="usa-intro">
        Too many of the Social Security numbers entered here belong to other profiles, so changing an SSN and adding
        staff are paused for {minutes} {minutes === 1 ? 'minute' : 'minutes'}.
      </p>
      <p>
        Nothing was changed. Check the number with the person, then try again when the pause is over. You can still
        correct a name or date of birth without entering an SSN, and everything else in Directory Administration still
        works.
      </p>
      <p>
        <a href={backTo}>Back to the person</a>
      </p>
    </Layout>
  );
}
