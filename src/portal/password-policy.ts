import { dictionary } from '@zxcvbn-ts/language-common';
import type { PasswordPolicyName } from '../platform/config.ts';

/**
 * The password rules, in one place. `agency` is the agency's published policy (SPEC P6):
 * at least 6 characters, letters and numbers only, not used before. `nist` follows
 * NIST SP 800-63B §3.1.1.2: at least 8 characters, any characters, no composition rules,
 * refused when it is a commonly used password or contains the User Name — and no
 * password hints (see docs/security.md).
 */
export interface PasswordPolicy {
  name: PasswordPolicyName;
  minLength: number;
  maxLength: number;
  allowsHints: boolean;
  /** One sentence for the form's hint text. */
  description: string;
}

export const POLICIES: Record<PasswordPolicyName, PasswordPolicy> = {
  agency: {
    name: 'agency',
    minLength: 6,
    maxLength: 64,
    allowsHints: true,
    description:
      'At least 6 characters, letters and numbers only (no spaces or symbols). Upper and lower case count as different. You cannot reuse a password you have used before.',
  },
  nist: {
    name: 'nist',
    minLength: 8,
    maxLength: 128,
    allowsHints: false,
    description:
      'At least 8 characters. Any characters, including spaces, are allowed. Avoid common passwords and your User Name. You cannot reuse a password you have used before.',
  },
};

let common: Set<string> | undefined;
function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common'] as string[]);
  return common.has(password.toLowerCase());
}

/**
 * Rules that need no stored data. Returns the messages to show, one per broken rule, in
 * the order a person would fix them. History is checked separately (it needs hashes).
 */
export function passwordProblems(policy: PasswordPolicy, password: string, userName?: string): string[] {
  const problems: string[] = [];
  if (password.length === 0) return ['Enter a password'];
  const length = [...password].length;
  if (length < policy.minLength) problems.push(`Password must be at least ${policy.minLength} characters`);
  if (length > policy.maxLength) problems.push(`Password must be ${policy.maxLength} characters or fewer`);
  if (policy.name === 'agency') {
    if (!/^[A-Za-z0-9]*$/.test(password)) {
      problems.push('Password must contain only letters and numbers, with no spaces or symbols');
    }
  } else {
    if (isCommonPassword(password)) problems.push('This password is too common. Choose one that is harder to guess');
    if (userName && password.toLowerCase().includes(userName.toLowerCase())) {
      problems.push('Password must not contain your User Name');
    }
  }
  return problems;
}

export const PASSWORD_REUSED =
  'You have used this password before. Choose a password you have not used on this account';
export const PASSWORD_MISMATCH = 'The passwords do not match. Enter the same password twice';
