/**
 * What the watchdog asks before it tells systemd "alive": a running event loop is not enough, the
 * agent's own loop must be doing its job. The one failure that matters most for a door: the relay
 * still energised well after its pulse should have ended (a stuck pulse timer or relay queue).
 */
import type { AgentState } from '../agent.js';

/** How late a pulse's end may be before the agent counts as hung. */
export const PULSE_OVERRUN_MS = 3_000;

/** A problem in plain words, or null when healthy. */
export function agentProblem(state: Pick<AgentState, 'running' | 'lock' | 'pulseEndsAt'>, now: number): string | null {
  if (!state.running) return 'agent is not running';
  if (state.lock === 'unlocked') {
    if (state.pulseEndsAt === null) return 'relay is unlocked with no pulse running';
    if (now > state.pulseEndsAt + PULSE_OVERRUN_MS)
      return `relay still unlocked ${now - state.pulseEndsAt} ms after its pulse ended`;
  }
  return null;
}
