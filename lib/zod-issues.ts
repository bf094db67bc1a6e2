/** One line naming the first few bad fields of a failed zod parse, for error messages and logs. */
import type { z } from 'zod';

export function describeIssues(error: z.ZodError, options: { max?: number; root?: string } = {}): string {
  return error.issues
    .slice(0, options.max ?? 3)
    .map((i) => `${i.path.join('.') || (options.root ?? '(root)')}: ${i.message}`)
    .join('; ');
}
