import type { FastifyInstance, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';

/**
 * Route params and query are checked by zod schemas on the route (`schema: { params,
 * querystring }`), the same library the forms use: a schema both checks and normalizes
 * (trims, defaults a page number), and the handler's `request.params`/`request.query` are
 * typed from it, with no cast. JSON schema (Ajv) could check but not normalize, and its
 * types would need another package.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** Lets the app's routes carry zod schemas (the only kind they carry). */
export function useZodSchemas(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>(({ schema }) => (data: unknown) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: result.error };
  });
}
