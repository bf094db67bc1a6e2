/**
 * The part of AWS IoT SQL (version 2016-03-23) that FaceGate's topic rules use, read from the very
 * strings the stack deploys (infra/lib/door-iot.ts ruleSql): `SELECT *, topic(N) AS name,
 * 'text' AS name FROM 'topic/filter' WHERE isUndefined(field) AND …`. Anything else is refused
 * when the rule is parsed, so a rule the stack changes in a way this does not know fails the test
 * that uses it instead of being half-understood.
 *
 * Semantics kept from IoT Core: `*` is the incoming JSON object; `topic(N)` is the N-th level of
 * the topic, counted from 1; WHERE reads the incoming payload, not the selected columns; a
 * selected column named like a payload field replaces it; a message whose payload is not a JSON
 * object gives no event here (IoT Core would hand `SELECT *` a base64 string; the doors send JSON).
 */
import { topicMatchesFilter } from './topic-filter.js';

type Column =
  { kind: 'all' } | { kind: 'topic'; level: number; as: string } | { kind: 'literal'; value: string; as: string };
type Condition = { kind: 'isUndefined'; field: string };

export interface IotRule {
  sql: string;
  columns: Column[];
  /** The MQTT topic filter of FROM (may hold `+` and `#`). */
  from: string;
  where: Condition[];
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';

function parseColumn(text: string, sql: string): Column {
  const column = text.trim();
  if (column === '*') return { kind: 'all' };
  const topic = new RegExp(`^topic\\((\\d+)\\)\\s+AS\\s+(${NAME})$`, 'i').exec(column);
  if (topic) return { kind: 'topic', level: Number(topic[1]), as: topic[2]! };
  const literal = new RegExp(`^'([^']*)'\\s+AS\\s+(${NAME})$`, 'i').exec(column);
  if (literal) return { kind: 'literal', value: literal[1]!, as: literal[2]! };
  throw new Error(`IoT SQL column not supported by this stand-in: ${JSON.stringify(column)} in ${sql}`);
}

function parseCondition(text: string, sql: string): Condition {
  const match = new RegExp(`^isUndefined\\((${NAME})\\)$`, 'i').exec(text.trim());
  if (!match) throw new Error(`IoT SQL condition not supported by this stand-in: ${JSON.stringify(text)} in ${sql}`);
  return { kind: 'isUndefined', field: match[1]! };
}

export function parseIotRuleSql(sql: string): IotRule {
  const match = /^\s*SELECT\s+(.+?)\s+FROM\s+'([^']+)'(?:\s+WHERE\s+(.+?))?\s*$/is.exec(sql);
  if (!match) throw new Error(`not an IoT SQL statement this stand-in reads: ${sql}`);
  const [, select, from, where] = match as unknown as [string, string, string, string | undefined];
  return {
    sql,
    columns: select.split(',').map((c) => parseColumn(c, sql)),
    from,
    where: where === undefined ? [] : where.split(/\s+AND\s+/i).map((c) => parseCondition(c, sql)),
  };
}

/**
 * What the rule's action receives for a message, or null when the rule does not fire (topic not
 * matched, WHERE false, payload not a JSON object).
 */
export function applyIotRule(rule: IotRule, topic: string, payload: Buffer): Record<string, unknown> | null {
  if (!topicMatchesFilter(rule.from, topic)) return null;
  let message: unknown;
  try {
    message = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return null;
  const incoming = message as Record<string, unknown>;
  if (!rule.where.every((c) => incoming[c.field] === undefined)) return null;
  const levels = topic.split('/');
  const event: Record<string, unknown> = {};
  for (const column of rule.columns) {
    if (column.kind === 'all') Object.assign(event, incoming);
    else if (column.kind === 'literal') event[column.as] = column.value;
    else if (levels[column.level - 1] !== undefined) event[column.as] = levels[column.level - 1];
  }
  return event;
}
