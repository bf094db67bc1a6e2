/**
 * zod schemas for what the admin site and the CLI hand the services: the boundary where a bad
 * form field becomes an InvalidInputError that says which field and why.
 */
import { z } from 'zod';
import { describeIssues } from '../../../lib/zod-issues.js';
import { DoorId, EpochMs, MAX_PULSE_MS, MIN_PULSE_MS } from '../../../protocol/index.js';
import { InvalidInputError } from '../errors.js';
import { DoorWiringSchema } from '../domain/door-wiring.js';

const PersonName = z.string().trim().min(1, 'name is required').max(200, 'name must be at most 200 characters');
const Instant = EpochMs.nullable();
const AllowedDoors = z.array(DoorId).max(500).nullable();

export const NewPersonInput = z
  .object({
    name: PersonName,
    validFrom: Instant.optional(),
    validUntil: Instant.optional(),
    allowedDoors: AllowedDoors.optional(),
  })
  .strict();

export const PersonPatchInput = z
  .object({
    name: PersonName.optional(),
    status: z.enum(['active', 'inactive']).optional(),
    validFrom: Instant.optional(),
    validUntil: Instant.optional(),
    allowedDoors: AllowedDoors.optional(),
  })
  .strict();

export const DEFAULT_PULSE_MS = 3_000;

export const NewDoorInput = z
  .object({
    doorId: DoorId,
    name: z.string().trim().min(1, 'name is required').max(100),
    pulseMs: z.number().int().min(MIN_PULSE_MS).max(MAX_PULSE_MS).default(DEFAULT_PULSE_MS),
    wiring: DoorWiringSchema.optional(),
  })
  .strict();

export const WiringInput = DoorWiringSchema;

export const RemoteUnlockReason = z.string().trim().min(1, 'a reason is required').max(200);

export const PersonFilterInput = z
  .object({
    search: z.string().max(200).optional(),
    status: z.enum(['active', 'inactive']).optional(),
  })
  .strict();

export const EventFilterInput = z
  .object({
    doorId: DoorId.optional(),
    personId: z.string().min(1).max(64).optional(),
    result: z.enum(['granted', 'denied']).optional(),
    kind: z
      .enum([
        'access',
        'remote_unlock',
        'person_created',
        'person_updated',
        'person_erased',
        'door_created',
        'door_changed',
        'door_event',
      ])
      .optional(),
    from: EpochMs.optional(),
    to: EpochMs.optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    cursor: z.string().min(1).max(1000).optional(),
  })
  .strict();

export const EntityId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id must be 1-64 url-safe characters');

/** Parses or throws InvalidInputError naming the first few bad fields. */
export function parseInput<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(`invalid ${what}: ${describeIssues(result.error, { root: what })}`, {
    cause: result.error,
  });
}

/** Access validity must not end before it starts. */
export function assertValidityOrder(validFrom: number | null, validUntil: number | null): void {
  if (validFrom !== null && validUntil !== null && validUntil < validFrom) {
    throw new InvalidInputError('invalid person: validUntil is before validFrom');
  }
}

/** A PEM PKCS#10 request as pasted or uploaded (the CA checks its content and signature). */
export const CsrPem = z
  .string()
  .max(16_384, 'a certificate request is at most 16 KB')
  .regex(
    /-----BEGIN (NEW )?CERTIFICATE REQUEST-----/,
    'not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)',
  );
