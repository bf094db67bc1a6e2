/**
 * IoT Core's topic rules, standing in on the local broker: one MQTT client with the back end's
 * certificate subscribes to each rule's FROM filter and, for every message the rule's SQL selects
 * (iot-rule-sql.ts, on the SQL strings the stack deploys), invokes the rule's Lambda handler with
 * the selected JSON, as IoT Core's Lambda action does (asynchronously: messages are not held up by
 * a slow handler). Every invocation is kept with its outcome, so a test waits for the one that
 * proves its case.
 *
 * Not emulated: Lambda's retries of a failed asynchronous invocation and the rules' error action;
 * a handler that throws is recorded as failed, once.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { applyIotRule, parseIotRuleSql, type IotRule } from './iot-rule-sql.js';

export interface BridgedRule {
  /** The rule's name in the stack (frames, status, events…), for the record. */
  name: string;
  sql: string;
  /** The Lambda handler the rule's action invokes. */
  invoke: (event: unknown) => Promise<unknown>;
}

export interface RuleInvocation {
  rule: string;
  topic: string;
  event: Record<string, unknown>;
  state: 'running' | 'returned' | 'failed';
  /** What the handler returned, once it has. */
  outcome?: unknown;
  error?: unknown;
}

export interface IotRuleBridge {
  readonly invocations: readonly RuleInvocation[];
  /** Invocations still running. */
  running(): number;
  close(): Promise<void>;
}

export async function startIotRuleBridge(options: {
  rules: BridgedRule[];
  /** mqtt.js options of a client the broker lets subscribe to the rules' topics (the back end's certificate). */
  mqtt: IClientOptions;
}): Promise<IotRuleBridge> {
  const rules: (BridgedRule & { parsed: IotRule })[] = options.rules.map((r) => ({
    ...r,
    parsed: parseIotRuleSql(r.sql),
  }));
  const invocations: RuleInvocation[] = [];
  const client: MqttClient = await mqtt.connectAsync(options.mqtt);
  client.on('message', (topic, payload) => {
    for (const rule of rules) {
      const event = applyIotRule(rule.parsed, topic, payload);
      if (event === null) continue;
      const invocation: RuleInvocation = { rule: rule.name, topic, event, state: 'running' };
      invocations.push(invocation);
      // The Lambda gets a JSON document, never an object the bridge still holds.
      rule.invoke(JSON.parse(JSON.stringify(event))).then(
        (outcome) => Object.assign(invocation, { state: 'returned', outcome }),
        (error: unknown) => Object.assign(invocation, { state: 'failed', error }),
      );
    }
  });
  const filters = [...new Set(rules.map((r) => r.parsed.from))];
  // QoS 1: an IoT rule sees every message the broker accepts, whatever QoS the door published at.
  const granted = await client.subscribeAsync(filters, { qos: 1 });
  const refused = granted.filter((g) => g.qos === 128);
  if (refused.length > 0) {
    await client.endAsync(true);
    throw new Error(`the broker refused the rule subscriptions ${refused.map((g) => g.topic).join(', ')}`);
  }
  return {
    invocations,
    running: () => invocations.filter((i) => i.state === 'running').length,
    close: () => client.endAsync(true),
  };
}
