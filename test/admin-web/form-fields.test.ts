/** The zod pieces for form fields: strings from forms become the types JSON callers send, nothing else slips through. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formInt, formList } from '../../admin-web/src/form-fields.js';
import { RequestValidationError } from '../../admin-web/src/zod-type-provider.js';
import { toProblem } from '../../admin-web/src/plugins/error-handler.js';

const form = z.object({ pulseMs: formInt(250, 30_000), doors: formList(z.string().regex(/^[a-z-]+$/), 2).optional() });

describe('form fields', () => {
  it('reads integers from form strings and JSON numbers; a cleared field is absent', () => {
    expect(form.parse({ pulseMs: '3000' })).toEqual({ pulseMs: 3000 });
    expect(form.parse({ pulseMs: 3000 })).toEqual({ pulseMs: 3000 });
    expect(form.parse({ pulseMs: '' })).toEqual({});
    expect(form.safeParse({ pulseMs: '3000abc' }).success).toBe(false);
    expect(form.safeParse({ pulseMs: '2.5' }).success).toBe(false);
    expect(form.safeParse({ pulseMs: '100' }).success).toBe(false);
  });

  it('reads one ticked checkbox as a list of one, and bounds the list', () => {
    expect(form.parse({ doors: 'front-door' })).toEqual({ doors: ['front-door'] });
    expect(form.parse({ doors: ['a', 'b'] })).toEqual({ doors: ['a', 'b'] });
    expect(form.safeParse({ doors: ['a', 'b', 'c'] }).success).toBe(false);
    expect(form.safeParse({ doors: ['../x'] }).success).toBe(false);
  });

  it('turns a failed parse into a 400 naming the field', () => {
    const result = form.safeParse({ pulseMs: 'x' });
    expect(result.success).toBe(false);
    const err = Object.assign(new RequestValidationError(result.error!), { validationContext: 'body' });
    expect(toProblem(err)).toEqual({
      statusCode: 400,
      error: 'bad_request',
      message: 'invalid body: pulseMs: Invalid input: expected number, received string',
    });
  });
});
