import { z } from 'zod';
import type { FieldErrors, FormValues } from './views/form.tsx';

/**
 * Reads an HTML form body field by field with zod. Each field gets its own first message,
 * in field order, ready for the error summary; the entered values come back for
 * re-display. A field sent twice, or not as text, is an error on that field, never a 500.
 */
export type FieldSchemas = Record<string, z.ZodType>;

export type ParsedForm<S extends FieldSchemas> =
  | { ok: true; data: { [K in keyof S]: z.output<S[K]> }; values: FormValues }
  | { ok: false; errors: FieldErrors; values: FormValues };

export function parseForm<S extends FieldSchemas>(schemas: S, body: unknown): ParsedForm<S> {
  const source = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values: FormValues = {};
  const errors: FieldErrors = {};
  const data: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const raw = source[name];
    if (raw !== undefined && typeof raw !== 'string') {
      errors[name] = 'Enter this only once';
      continue;
    }
    values[name] = raw;
    const result = schema.safeParse(raw ?? '');
    if (result.success) data[name] = result.data;
    else errors[name] = result.error.issues[0]?.message ?? 'Check this answer';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return { ok: true, data: data as { [K in keyof S]: z.output<S[K]> }, values };
}

// Control characters never belong in a form field; refuse them rather than store them.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A required single-line text answer, trimmed. */
export function requiredText(label: string, max: number, missing = `Enter ${label}`) {
  return z
    .string()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, missing)
        .max(max, `${capitalize(label)} must be ${max} characters or fewer`)
        .refine(
          (s) => !CONTROL.test(s) && !s.includes('\n'),
          `${capitalize(label)} must be on one line, with no special characters`,
        ),
    );
}

/** An optional single-line text answer: empty becomes null. */
export function optionalText(label: string, max: number) {
  return z
    .string()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .max(max, `${capitalize(label)} must be ${max} characters or fewer`)
        .refine(
          (s) => !CONTROL.test(s) && !s.includes('\n'),
          `${capitalize(label)} must be on one line, with no special characters`,
        ),
    )
    .transform((s) => (s === '' ? null : s));
}

/** A secret (password, hint answer): never trimmed — spaces are part of it. */
export function secret(missing: string, max = 256) {
  return z.string().min(1, missing).max(max, `This must be ${max} characters or fewer`);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
