/**
 * Fastify validates each request with the zod schema its route declares, and the handler's
 * `request.body` / `query` / `params` get that schema's output type: one schema, no second
 * TypeScript type. (About thirty lines, so no package: fastify-type-provider-zod would bring
 * @fastify/swagger along as a required peer.)
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifySchemaCompiler,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { z } from 'zod';
import { describeIssues } from '../../lib/zod-issues.js';

export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** What a route plugin is given: the admin app with zod schemas typing its requests. */
export type AdminApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** Carries `validation` like Fastify's own schema errors, so the error handler answers 400 with the message. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly validation: z.core.$ZodIssue[];
  constructor(error: z.ZodError) {
    super(describeIssues(error));
    this.name = 'RequestValidationError';
    this.validation = error.issues;
  }
}

/** Parses (and so coerces and strips) each part with its schema; the parsed value replaces the raw one. */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: new RequestValidationError(result.error) };
  };
