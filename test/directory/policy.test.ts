import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DepartmentRole } from '../../src/directory/department-roles/schema.ts';
import {
  ACTIONS,
  can,
  decide,
  hasDirectoryAccess,
  type Action,
  type Actor,
  type OrgRef,
  type PersonRef,
  type Powers,
} from '../../src/directory/policy.ts';
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

function actor(administers: string[], ...departmentRoles: DepartmentRole[]): Actor {
  return {
    profile: { id: 'actor' } as Profile,
    administers: new Set(administers),
    departmentRoles: new Set(departmentRoles),
  };
}
const none: Powers = { departmentRoles: [], administers: [], rolesIn: [] };
const person = (orgs: OrgRef[], powers: Partial<Powers> = {}): PersonRef => ({ orgs, powers: { ...none, ...powers } });
const onPerson = (
  a: Actor | null,
  p: PersonRef,
  action: 'person.resetPassword' | 'person.view' = 'person.resetPassword',
) => decide(a, action, { kind: 'person', person: p });

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
    assert.equal(
      onPerson(schoolAdmin, person([district])),
      'deny',
      'a school’s administrator does not reach the district’s staff',
    );
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
    assert.equal(onPerson(districtAdmin, person([school], { departmentRoles: ['help-desk'] })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { departmentRoles: ['console-admin'] })), 'beyond-reach');
    assert.equal(onPerson(schoolAdmin, person([school], { administers: [district] })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { administers: [otherDistrict] })), 'beyond-reach');
    assert.equal(onPerson(districtAdmin, person([school], { rolesIn: [otherSchool] })), 'beyond-reach');
    assert.equal(onPerson(schoolAdmin, person([school], { rolesIn: [district] })), 'beyond-reach');
  });
  test('powers within the actor’s organizations (active or not) are no obstacle', () => {
    assert.equal(
      onPerson(
        districtAdmin,
        person([school], { administers: [school, district], rolesIn: [school, inactive(school)] }),
      ),
      'allow',
    );
    assert.equal(onPerson(schoolAdmin, person([school], { administers: [school], rolesIn: [school] })), 'allow');
  });
  test('reading the page is allowed within reach, even beyond it; outside reach it is not', () => {
    assert.equal(
      onPerson(districtAdmin, person([school], { departmentRoles: ['console-admin'] }), 'person.view'),
      'allow',
    );
    assert.equal(onPerson(districtAdmin, person([otherSchool]), 'person.view'), 'deny');
  });
  test('a console administrator acts on everyone, department staff included', () => {
    assert.equal(
      onPerson(
        actor([], 'console-admin'),
        person([], { departmentRoles: ['console-admin'], administers: [otherDistrict] }),
      ),
      'allow',
    );
    assert.equal(onPerson(actor([], 'console-admin'), person([inactive(otherSchool)])), 'allow');
  });
});

describe('decide: organizations', () => {
  const org = (o: OrgRef, target?: PersonRef) => ({
    kind: 'organization' as const,
    org: o,
    ...(target ? { target } : {}),
  });
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
    assert.equal(
      decide(
        actor(['d1']),
        'diradmin.designate',
        org(school, person([school], { departmentRoles: ['console-admin'] })),
      ),
      'beyond-reach',
    );
  });
  test('adding staff refuses a person beyond reach, whoever they are', () => {
    assert.equal(
      decide(actor(['d1']), 'staff.add', org(school, person([], { administers: [otherDistrict] }))),
      'beyond-reach',
    );
    assert.equal(
      decide(actor(['d1']), 'staff.add', org(school, person([]))),
      'allow',
      'someone new (found by identity) may be added',
    );
  });
  test('removing staff and revoking roles only take away: allowed in an active organization one runs, whatever the person’s powers (F5, F7)', () => {
    const mighty = person([school], {
      departmentRoles: ['licensure-evaluator'],
      administers: [otherDistrict],
      rolesIn: [otherSchool],
    });
    for (const action of ['staff.remove', 'role.revoke'] as const) {
      assert.equal(decide(actor(['s1']), action, org(school, mighty)), 'allow', action);
      assert.equal(
        decide(actor(['d1']), action, org(school, mighty)),
        'allow',
        `${action}: a district's administrator for its school`,
      );
      assert.equal(
        decide(actor(['d1']), action, org(otherSchool, mighty)),
        'deny',
        `${action}: not in an organization one does not run`,
      );
      assert.equal(
        decide(actor(['s1']), action, org(inactive(school), mighty)),
        'deny',
        `${action}: not in an inactive one`,
      );
    }
    assert.equal(
      decide(actor(['d1']), 'role.revoke', { kind: 'person', person: mighty }),
      'allow',
      'the person is within reach',
    );
    assert.equal(
      decide(actor(['d1']), 'role.revoke', {
        kind: 'person',
        person: person([otherSchool], { rolesIn: [otherSchool] }),
      }),
      'deny',
      'outside reach, nothing',
    );
    assert.equal(
      decide(actor(['d1']), 'role.grant', { kind: 'person', person: mighty }),
      'beyond-reach',
      'granting still needs power over them',
    );
  });
  test('publishing contacts only where designated', () => {
    assert.equal(decide(actor(['s1']), 'diradmin.publishContacts', org(school)), 'allow');
    assert.equal(decide(actor(['d1']), 'diradmin.publishContacts', org(school)), 'deny');
    assert.equal(
      decide(actor(['s1']), 'diradmin.publishContacts', org(inactive(school))),
      'deny',
      'an inactive organization publishes no one',
    );
  });
  test('department-only actions are the department’s, whatever a Directory Administrator runs', () => {
    for (const action of [
      'organization.manage',
      'application.manage',
      'person.search',
      'audit.read',
      'conflict.resolve',
      'departmentRole.manage',
    ] as const) {
      assert.equal(decide(actor(['d1']), action, org(district)), 'deny', action);
      assert.equal(decide(actor(['d1']), action, { kind: 'person', person: person([school]) }), 'deny', action);
      assert.equal(decide(actor(['d1']), action, { kind: 'system' }), 'deny', action);
      assert.equal(decide(actor([], 'console-admin'), action, { kind: 'system' }), 'allow', action);
    }
    assert.equal(decide(actor(['d1']), 'organization.view', { kind: 'system' }), 'deny');
  });
  test('directory access: a console administrator, the help desk, or an active designation', () => {
    assert.equal(hasDirectoryAccess(actor([], 'help-desk')), true);
    assert.equal(
      hasDirectoryAccess(actor([], 'licensure-evaluator', 'licensure-supervisor', 'payments')),
      false,
      'evaluators do not inherit the console',
    );
    assert.equal(hasDirectoryAccess(actor([], 'console-admin')), true);
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
    assert.equal(
      can(schoolAdmin, 'person.resetPassword', {
        kind: 'person',
        person: person([school], { departmentRoles: ['help-desk'] }),
      }),
      false,
    );
  });
});

describe('decide: department roles, each only its part (issue 12)', () => {
  const educator = person([school]);
  const nobody = person([]);
  const system = { kind: 'system' } as const;
  const onOrg = (o: OrgRef, target?: PersonRef) => ({
    kind: 'organization' as const,
    org: o,
    ...(target ? { target } : {}),
  });
  const PERSON_ACTIONS = [
    'person.resetPassword',
    'person.unlock',
    'person.endSessions',
    'person.fixData',
    'conflict.resolve',
  ] as const;

  test('console-admin may do every action, on the system, any organization and anyone', () => {
    const admin = actor([], 'console-admin');
    for (const action of ACTIONS) {
      assert.equal(decide(admin, action, system), 'allow', action);
      assert.equal(
        decide(admin, action, onOrg(otherSchool, person([], { departmentRoles: ['console-admin'] }))),
        'allow',
        action,
      );
      assert.equal(
        decide(admin, action, {
          kind: 'person',
          person: person([], { departmentRoles: ['console-admin'], administers: [district] }),
        }),
        'allow',
        action,
      );
    }
  });

  test('licensure-evaluator, licensure-supervisor and payments have no part of the console', () => {
    for (const role of ['licensure-evaluator', 'licensure-supervisor', 'payments'] as const) {
      for (const action of ACTIONS) {
        assert.equal(decide(actor([], role), action, system), 'deny', `${role} ${action}`);
        assert.equal(decide(actor([], role), action, onOrg(school, educator)), 'deny', `${role} ${action}`);
        assert.equal(
          decide(actor([], role), action, { kind: 'person', person: educator }),
          'deny',
          `${role} ${action}`,
        );
      }
      assert.equal(hasDirectoryAccess(actor([], role)), false, role);
    }
  });

  test('help-desk searches, and views anyone; it has no organizations, applications, audit log or role grants', () => {
    const helpDesk = actor([], 'help-desk');
    for (const action of ['directory.use', 'person.search', 'conflict.resolve'] as const)
      assert.equal(decide(helpDesk, action, system), 'allow', action);
    const refused: Action[] = [
      'organization.manage',
      'application.manage',
      'audit.read',
      'departmentRole.manage',
      'organization.view',
    ];
    for (const action of refused) assert.equal(decide(helpDesk, action, system), 'deny', action);
    for (const action of ACTIONS)
      assert.equal(decide(helpDesk, action, onOrg(school, educator)), 'deny', `no organization action: ${action}`);
    for (const action of ['role.grant', 'role.revoke'] as const)
      assert.equal(decide(helpDesk, action, { kind: 'person', person: educator }), 'deny', action);
    assert.equal(
      decide(helpDesk, 'person.view', { kind: 'person', person: person([], { departmentRoles: ['console-admin'] }) }),
      'allow',
      'the page says why nothing can be done',
    );
  });

  test('help-desk acts on a person without powers, on staff or on no one’s staff', () => {
    const helpDesk = actor([], 'help-desk');
    for (const action of PERSON_ACTIONS) {
      assert.equal(decide(helpDesk, action, { kind: 'person', person: educator }), 'allow', action);
      assert.equal(decide(helpDesk, action, { kind: 'person', person: nobody }), 'allow', action);
    }
  });

  test('anyone with powers is beyond the help desk’s reach: a department role, a designation or an application role, active organization or not', () => {
    const helpDesk = actor([], 'help-desk');
    const mighty: Array<[string, Partial<Powers>]> = [
      ['a console administrator', { departmentRoles: ['console-admin'] }],
      ['another help desk', { departmentRoles: ['help-desk'] }],
      ['an evaluator', { departmentRoles: ['licensure-evaluator'] }],
      ['a Directory Administrator', { administers: [school] }],
      ['a Directory Administrator of an inactive school', { administers: [inactive(school)] }],
      ['a role holder', { rolesIn: [school] }],
      ['a role holder in an inactive school', { rolesIn: [inactive(school)] }],
    ];
    for (const [who, powers] of mighty) {
      for (const action of PERSON_ACTIONS)
        assert.equal(
          decide(helpDesk, action, { kind: 'person', person: person([school], powers) }),
          'beyond-reach',
          `${action} on ${who}`,
        );
    }
  });

  test('several roles and designations: the actor may do what any one of them allows', () => {
    const roleHolder = person([school], { rolesIn: [school] });
    assert.equal(
      decide(actor([], 'help-desk'), 'person.resetPassword', { kind: 'person', person: roleHolder }),
      'beyond-reach',
    );
    assert.equal(
      decide(actor(['s1'], 'help-desk'), 'person.resetPassword', { kind: 'person', person: roleHolder }),
      'allow',
      'their own school gave the role',
    );
    assert.equal(
      decide(actor(['s1'], 'licensure-evaluator'), 'staff.add', onOrg(school)),
      'allow',
      'a designation still counts for an evaluator',
    );
    assert.equal(decide(actor([], 'licensure-evaluator', 'help-desk'), 'person.search', system), 'allow');
    assert.equal(decide(actor([], 'licensure-evaluator', 'help-desk'), 'audit.read', system), 'deny');
    assert.equal(decide(actor([], 'help-desk', 'console-admin'), 'audit.read', system), 'allow');
  });
});
