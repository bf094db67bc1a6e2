/**
 * Zod pieces for what HTML forms send: every value is a string, a number field left empty is
 * absent rather than 0, and a checkbox group arrives as one string when one box is ticked.
 * JSON callers send the real types, which pass through unchanged.
 */
import { z } from 'zod';

/** An integer from a form field or JSON; '' (a cleared field) counts as not sent. */
export function formInt(min: number, max: number) {
  return z.preprocess(
    (v) => (v === '' ? undefined : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v),
    z.number().int().min(min).max(max).optional(),
  );
}

/** A repeated form field (one value or several) or a JSON array, as an array of at most `max` items. */
export function formList<T extends z.ZodType>(item: T, max: number) {
  return z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(item).max(max));
}
