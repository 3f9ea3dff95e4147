import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { can, decide, hasDirectoryAccess, type Actor, type OrgRef, type PersonRef, type Powers } from '../../src/directory/policy.ts';
import type { Profile } from '../../src/portal/schema.ts';

/**
 * `decide()` alone, one rule per case, so that any change to the rule fails here in
 * milliseconds (the HTTP matrix in permissions.http.test.ts proves the routes use it).
 */

const district: OrgRef = { id: 'd1', district_id: null, status: 'active' };
const school: OrgRef = { id: 's1', district_id: 'd1', status: 'active' };
const otherDistrict: OrgRef = { id: 'd2', district_id: null, status: 'active' };
const otherSchool: OrgRef = { id: 's2', district_id: 'd2', status: 'active' };
const inactive = (org: OrgRef): OrgRef => ({ ...org, status: 'inactive' });

function actor(administers: string[], departmentRole: Profile['department_role'] = null): Actor {
  return { profile: { id: 'actor', department_role: departmentRole } as Profile, administers: new Set(administers) };
}
const none: Powers = { departmentRole: null, administers: [], rolesIn: [] };
const person = (orgs: OrgRef[], powers: Partial<Powers> = {}): PersonRef => ({ orgs, powers: { ...none, ...powers } });
const onPerson = (a: Actor | null, p: PersonRef, action: 'person.resetPassword' | 'person.view' = 'person.resetPassword') => decide(a, action, { kind: 'person', person: p });

describe('decide: who acts on a person', () => {
  const districtAdmin = actor(['d1']);
  const schoolAdmin = actor(['s1']);
  test('nobody signed in, and an educator with no designation, act on no one', () => {
    assert.equal(onPerson(null, person([school])), 'deny');
    assert.equal(onPerson(actor([]), person([school])), 'deny');
  });
  test('an administrator acts on the staff of their organization and of their district’s schools', () => {
    assert.equal(onPerson(schoolAdmin, person([school])), 'allow');
    assert.equal(onPerson(districtAdmin, person([school])), 'allow');
    assert.equal(onPerson(districtAdmin, person([district])), 'allow');
    assert.equal(onPerson(schoolAdmin, person([district])), 'deny', 'a school’s administrator does not reach the district’s staff');
    assert.equal(onPerson(districtAdmin, person([otherSchool])), 'deny');
  });
  test('one organization within reach is enough', () => {
    assert.equal(onPerson(schoolAdmin, person([otherSchool, school])), 'allow');
  });
  test('an inactive organization brings no one within reach', () => {
    assert.equal(onPerson(districtAdmin, person([inactive(school)])), 'deny');
    assert.equal(onPerson(schoolAdmin, person([inactive(school)])), 'deny');
  });
  test('a department role, or a designation or role beyond the actor, puts the person beyond reach', () => {
    assert.equal(onPerson(districtAdmin, person([school], { departmentRole: 'staff' })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { departmentRole: 'admin' })), 'beyond-reach');
    assert.equal(onPerson(schoolAdmin, person([school], { administers: [district] })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { administers: [otherDistrict] })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { rolesIn: [otherSchool] })), 'beyond-reach');
    assert.equal(onPerson(schoolAdmin, person([school], { rolesIn: [district] })), 'beyond-reach');
  });
  test('powers within the actor’s organizations (active or not) are no obstacle', () => {
    assert.equal(onPerson(districtAdmin, person([school], { administers: [school, district], rolesIn: [school, inactive(school)] })), 'allow');
    assert.equal(onPerson(schoolAdmin, person([school], { administers: [school], rolesIn: [school] })), 'allow');
  });
  test('reading the page is allowed within reach, even beyond it; outside reach it is not', () => {
    assert.equal(onPerson(districtAdmin, person([school], { departmentRole: 'admin' }), 'person.view'), 'allow');
    assert.equal(onPerson(districtAdmin, person([otherSchool]), 'person.view'), 'deny');
  });
  test('the department acts on everyone, department staff included', () => {
    assert.equal(onPerson(actor([], 'staff'), person([], { departmentRole: 'admin', administers: [otherDistrict] })), 'allow');
    assert.equal(onPerson(actor([], 'admin'), person([inactive(otherSchool)])), 'allow');
  });
});

describe('decide: organizations', () => {
  const org = (o: OrgRef, target?: PersonRef) => ({ kind: 'organization' as const, org: o, ...(target ? { target } : {}) });
  test('an administrator views and adds staff only in their active organizations', () => {
    assert.equal(decide(actor(['s1']), 'organization.view', org(school)), 'allow');
    assert.equal(decide(actor(['d1']), 'staff.add', org(school)), 'allow');
    assert.equal(decide(actor(['s1']), 'organization.view', org(otherSchool)), 'deny');
    assert.equal(decide(actor(['s1']), 'organization.view', org(inactive(school))), 'deny');
    assert.equal(decide(actor(['d1']), 'staff.add', org(inactive(school))), 'deny');
  });
  test('only a district’s administrator designates, and only for its schools', () => {
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(school)), 'allow');
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(district)), 'deny');
    assert.equal(decide(actor(['s1']), 'diradmin.designate', org(school)), 'deny');
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(otherSchool)), 'deny');
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(inactive(school))), 'deny', 'nor for an inactive one');
  });
  test('designating needs the person already within reach, and not beyond it', () => {
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(school, person([school]))), 'allow');
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(school, person([otherSchool]))), 'deny');
    assert.equal(decide(actor(['d1']), 'diradmin.designate', org(school, person([school], { departmentRole: 'admin' }))), 'beyond-reach');
  });
  test('adding staff refuses a person beyond reach, whoever they are', () => {
    assert.equal(decide(actor(['d1']), 'staff.add', org(school, person([], { administers: [otherDistrict] }))), 'beyond-reach');
    assert.equal(decide(actor(['d1']), 'staff.add', org(school, person([]))), 'allow', 'someone new (found by identity) may be added');
  });
  test('removing staff and revoking roles only take away: allowed in an active organization one runs, whatever the person’s powers (F5, F7)', () => {
    const mighty = person([school], { departmentRole: 'staff', administers: [otherDistrict], rolesIn: [otherSchool] });
    for (const action of ['staff.remove', 'role.revoke'] as const) {
      assert.equal(decide(actor(['s1']), action, org(school, mighty)), 'allow', action);
      assert.equal(decide(actor(['d1']), action, org(school, mighty)), 'allow', `${action}: a district's administrator for its school`);
      assert.equal(decide(actor(['d1']), action, org(otherSchool, mighty)), 'deny', `${action}: not in an organization one does not run`);
      assert.equal(decide(actor(['s1']), action, org(inactive(school), mighty)), 'deny', `${action}: not in an inactive one`);
    }
    assert.equal(decide(actor(['d1']), 'role.revoke', { kind: 'person', person: mighty }), 'allow', 'the person is within reach');
    assert.equal(decide(actor(['d1']), 'role.revoke', { kind: 'person', person: person([otherSchool], { rolesIn: [otherSchool] }) }), 'deny', 'outside reach, nothing');
    assert.equal(decide(actor(['d1']), 'role.grant', { kind: 'person', person: mighty }), 'beyond-reach', 'granting still needs power over them');
  });
  test('publishing contacts only where designated', () => {
    assert.equal(decide(actor(['s1']), 'diradmin.publishContacts', org(school)), 'allow');
    assert.equal(decide(actor(['d1']), 'diradmin.publishContacts', org(school)), 'deny');
    assert.equal(decide(actor(['s1']), 'diradmin.publishContacts', org(inactive(school))), 'deny', 'an inactive organization publishes no one');
  });
  test('department-only actions are the department’s, whatever a Directory Administrator runs', () => {
    for (const action of ['console.use', 'organization.manage', 'application.manage', 'person.search', 'audit.read', 'conflict.resolve'] as const) {
      assert.equal(decide(actor(['d1']), action, org(district)), 'deny', action);
      assert.equal(decide(actor(['d1']), action, { kind: 'system' }), 'deny', action);
      assert.equal(decide(actor([], 'staff'), action, { kind: 'system' }), 'allow', action);
    }
    assert.equal(decide(actor(['d1']), 'organization.view', { kind: 'system' }), 'deny');
  });
  test('directory access: the department, or an active designation', () => {
    assert.equal(hasDirectoryAccess(actor([], 'admin')), true);
    assert.equal(hasDirectoryAccess(actor(['s1'])), true);
    assert.equal(hasDirectoryAccess(actor([])), false);
    assert.equal(hasDirectoryAccess(null), false);
  });
});

describe('can: yes only where decide allows', () => {
  test('allowed is yes; denied and beyond reach are both no', () => {
    const schoolAdmin = actor(['s1']);
    assert.equal(can(schoolAdmin, 'person.resetPassword', { kind: 'person', person: person([school]) }), true);
    assert.equal(can(schoolAdmin, 'person.resetPassword', { kind: 'person', person: person([otherSchool]) }), false);
    assert.equal(can(schoolAdmin, 'person.resetPassword', { kind: 'person', person: person([school], { departmentRole: 'staff' }) }), false);
  });
});
