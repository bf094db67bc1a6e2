/**
 * What an IoT topic rule hands a Lambda: the door's JSON message with the rule's extra columns
 * (`topic(3) AS topicDoorId`, `topic(4) AS topicChannel`) merged in. The extra columns are split
 * off here so the handler sees exactly what the door sent, and the door id comes from the topic,
 * which the IoT policy ties to the door's certificate.
 */
import { z } from 'zod';
import { DOOR_ID_PATTERN } from '../../../protocol/index.js';

const RuleColumns = z.object({
  topicDoorId: z.string().regex(DOOR_ID_PATTERN, 'topicDoorId must be a door id'),
  topicChannel: z.string().max(32).optional(),
});

export type SplitRuleEvent =
  | { ok: true; topicDoorId: string; topicChannel: string | undefined; payload: Record<string, unknown> }
  | { ok: false; error: string };

export function splitRuleEvent(event: unknown): SplitRuleEvent {
  if (event === null || typeof event !== 'object' || Array.isArray(event))
    return { ok: false, error: 'event is not a JSON object' };
  const { topicDoorId, topicChannel, ...payload } = event as Record<string, unknown>;
  const columns = RuleColumns.safeParse({ topicDoorId, topicChannel });
  if (!columns.success) return { ok: false, error: columns.error.issues[0]?.message ?? 'bad rule columns' };
  return { ok: true, topicDoorId: columns.data.topicDoorId, topicChannel: columns.data.topicChannel, payload };
}
