import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { can, staffRolesFrom, type ElarPermission } from '../../src/elar/staff.ts';

const DEPARTMENT = '00000000';

describe('ELAR staff come from the roles claim the portal issues for ELAR', () => {
  test('the licensure roles held in the Department become ELAR staff roles', () => {
    const roles = [
      { org: DEPARTMENT, role: 'licensure-supervisor' },
      { org: DEPARTMENT, role: 'licensure-evaluator' },
      { org: DEPARTMENT, role: 'payments' },
    ];
    assert.deepEqual(staffRolesFrom({ roles }, DEPARTMENT), [
      'licensure-evaluator',
      'licensure-supervisor',
      'payments',
    ]);
  });

  test('the same role in a school or district makes no one staff: its Directory Administrator could grant it', () => {
    assert.deepEqual(staffRolesFrom({ roles: [{ org: '00350505', role: 'licensure-evaluator' }] }, DEPARTMENT), []);
  });

  test('an educator (role user), no roles claim, or a claim of another shape: no staff roles, no error', () => {
    for (const claims of [
      { roles: [{ org: DEPARTMENT, role: 'user' }] },
      {},
      { roles: 'licensure-evaluator' },
      {
        roles: [
          null,
          'licensure-evaluator',
          { org: DEPARTMENT },
          { role: 'licensure-evaluator' },
          { org: 7, role: 'payments' },
        ],
      },
      {
        roles: [
          { org: DEPARTMENT, role: 'console-admin' },
          { org: DEPARTMENT, role: 'help-desk' },
        ],
      },
    ]) {
      assert.deepEqual(staffRolesFrom(claims, DEPARTMENT), [], JSON.stringify(claims));
    }
  });

  test('a role listed twice counts once', () => {
    const roles = [
      { org: DEPARTMENT, role: 'payments' },
      { org: DEPARTMENT, role: 'payments' },
    ];
    assert.deepEqual(staffRolesFrom({ roles }, DEPARTMENT), ['payments']);
  });
});

describe('can(): what each ELAR staff role may do', () => {
  const table: Array<[string[], ElarPermission[]]> = [
    [[], []],
    [['licensure-evaluator'], ['application.evaluate']],
    [['licensure-supervisor'], ['application.evaluate', 'application.assign', 'application.decide']],
    [['payments'], ['payment.manage']],
    [
      ['licensure-evaluator', 'payments'],
      ['application.evaluate', 'payment.manage'],
    ],
  ];
  const every: ElarPermission[] = [
    'application.evaluate',
    'application.assign',
    'application.decide',
    'payment.manage',
  ];
  for (const [roles, allowed] of table) {
    test(`${roles.join(' + ') || 'an educator'} may ${allowed.join(', ') || 'nothing of staff'}`, () => {
      for (const permission of every) {
        assert.equal(can({ staffRoles: roles as never }, permission), allowed.includes(permission), permission);
      }
    });
  }
});
