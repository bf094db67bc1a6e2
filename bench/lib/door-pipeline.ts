/**
 * The door pipeline bench:accuracy --visits runs, built from the project's own code: the agent's
 * face gate (agent/src/face-gate: its BlazeFace detector, the agent config's default limits), the
 * agent's frame choice (agent/src/visit: VisitTracker and frameQuality with the config's default
 * visit settings, frames arriving at the config's maxFps), and the back end's fusion rule.
 */
import { AgentConfigSchema } from '../../agent/src/config.js';
import { FaceGate } from '../../agent/src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../../agent/src/face-gate/human-face-detector.js';
import { frameQuality } from '../../agent/src/visit/frame-rank.js';
import { VisitTracker, type VisitAction, type VisitSettings } from '../../agent/src/visit/visit-tracker.js';
import type { DiskCache } from './disk-cache.js';
import { FUSION_RULES } from './fusion-rules.js';
import type { GateOutcome, VisitPipeline } from './run-visits.js';

/** Names the gate's code and limits in its cache: another detector or limit is another cache. */
export function gateCacheNamespace(): string {
  const limits = AgentConfigSchema.shape.faceGate.parse(undefined);
  return `agent-face-gate-v1 ${JSON.stringify(limits)}`;
}

/**
 * The frames the agent sends, in send order, when the back end never answers early (the bench
 * applies early answers itself: they only cut this list short). Frame i reaches the agent's
 * VisitTracker at i × frameIntervalMs; after the last frame the tracker runs its timers until the
 * visit ends.
 */
export function agentFrameChoice(
  settings: VisitSettings,
  frameIntervalMs: number,
): (frames: GateOutcome[]) => number[] {
  return (frames) => {
    let nextId = 0;
    const tracker = new VisitTracker<number>(settings, () => `v${nextId++}`);
    const sent: number[] = [];
    const run = (actions: VisitAction<number>[]) => {
      for (const a of actions) if (a.type === 'send') sent.push(a.frame);
    };
    frames.forEach((g, i) => {
      const now = i * frameIntervalMs;
      run(g.ok ? tracker.faceSeen(i, frameQuality(g), now) : tracker.tick(now));
    });
    for (let deadline = tracker.nextDeadline(); deadline !== null; deadline = tracker.nextDeadline())
      run(tracker.tick(deadline));
    return sent;
  };
}

export async function openDoorPipeline(
  options: { fusion?: string; gateCache?: DiskCache<GateOutcome> } = {},
): Promise<VisitPipeline & { close(): Promise<void> }> {
  const fusionName = options.fusion ?? 'backend';
  const fuse = FUSION_RULES[fusionName];
  if (!fuse) throw new Error(`unknown fusion rule ${fusionName} (${Object.keys(FUSION_RULES).join(', ')})`);
  // The agent's defaults, exactly as a door without faceGate, visit or frames sections runs.
  const limits = AgentConfigSchema.shape.faceGate.parse(undefined);
  const visit = AgentConfigSchema.shape.visit.parse(undefined);
  const frameIntervalMs = Math.round(1000 / AgentConfigSchema.shape.frames.parse(undefined).maxFps);
  const detector = await HumanFaceDetector.create();
  const gate = new FaceGate(detector, limits);
  const inspect = async (jpeg: Buffer): Promise<GateOutcome> => {
    const verdict = await gate.inspect(jpeg);
    return verdict.ok
      ? {
          ok: true,
          sizePx: verdict.face.sizePx,
          sharpness: verdict.face.sharpness,
          frontality: verdict.face.frontality,
          score: verdict.face.score,
        }
      : { ok: false };
  };
  return {
    describe: {
      gate: `agent FaceGate + HumanFaceDetector (minFacePx ${limits.minFacePx}, minScore ${limits.minScore}, minSharpness ${limits.minSharpness})`,
      choice: `agent VisitTracker + frameQuality (maxFrames ${visit.maxFrames}, followUpMs ${visit.followUpMs}, idleEndMs ${visit.idleEndMs}; a frame every ${frameIntervalMs} ms)`,
      fusion:
        fusionName === 'backend'
          ? 'fuseVisit of cloud/src/domain/visit-fusion.ts (its default rule), answered as soon as it clears the threshold'
          : `${fusionName} (bench/lib/fusion-rules.ts)`,
    },
    gate: async (jpeg) => {
      if (!options.gateCache) {
        const start = performance.now();
        return { outcome: await inspect(jpeg), ms: performance.now() - start };
      }
      const r = await options.gateCache.through(jpeg, () => inspect(jpeg));
      return { outcome: r.value, ms: r.ms };
    },
    choose: agentFrameChoice(visit, frameIntervalMs),
    fuse,
    close: () => detector.close(),
  };
}
