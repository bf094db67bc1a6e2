/**
 * The door pipeline bench:accuracy --visits runs: the agent's face gate (agent/src/face-gate, its
 * BlazeFace detector and the agent config's default limits), a frame choice, and the back end's
 * fusion rule. See `describe` for what each step is.
 */
import { AgentConfigSchema } from '../../agent/src/config.js';
import { FaceGate } from '../../agent/src/face-gate/face-gate.js';
import { HumanFaceDetector } from '../../agent/src/face-gate/human-face-detector.js';
import { MAX_FRAMES_PER_VISIT } from '../../protocol/index.js';
import { FUSION_RULES } from './fusion-rules.js';
import type { GateOutcome, VisitPipeline } from './run-visits.js';

/**
 * Frame choice: the agent's own (agent/src/visit) had not landed when this was written, so the
 * `maxSent` frames the gate passed with the largest faces are sent, in camera order.
 */
export async function openDoorPipeline(
  options: { maxSent?: number; fusion?: string } = {},
): Promise<VisitPipeline & { close(): Promise<void> }> {
  const maxSent = Math.min(MAX_FRAMES_PER_VISIT, options.maxSent ?? 2);
  const fusionName = options.fusion ?? 'backend';
  const fuse = FUSION_RULES[fusionName];
  if (!fuse) throw new Error(`unknown fusion rule ${fusionName} (${Object.keys(FUSION_RULES).join(', ')})`);
  // The agent's defaults, exactly as a door without a faceGate section in its config runs.
  const limits = AgentConfigSchema.shape.faceGate.parse(undefined);
  const detector = await HumanFaceDetector.create();
  const gate = new FaceGate(detector, limits);
  return {
    describe: {
      gate: `agent FaceGate + HumanFaceDetector (minFacePx ${limits.minFacePx}, minScore ${limits.minScore}, minSharpness ${limits.minSharpness})`,
      choice: `the ${maxSent} passed frames with the largest faces (the agent's own frame choice was not on main)`,
      fusion:
        fusionName === 'backend'
          ? 'fuseVisit of cloud/src/domain/visit-fusion.ts (its default rule)'
          : `${fusionName} (bench/lib/fusion-rules.ts)`,
    },
    gate: async (jpeg): Promise<GateOutcome> => {
      const verdict = await gate.inspect(jpeg);
      return verdict.ok
        ? {
            ok: true,
            sizePx: verdict.face.sizePx,
            sharpness: verdict.face.sharpness,
            frontality: verdict.face.frontality,
          }
        : { ok: false };
    },
    choose: (frames) =>
      frames
        .map((g, i) => ({ size: g.ok ? g.sizePx : -1, i }))
        .filter(({ size }) => size >= 0)
        .sort((a, b) => b.size - a.size || a.i - b.i)
        .slice(0, maxSent)
        .map(({ i }) => i)
        .sort((a, b) => a - b),
    fuse,
    close: () => detector.close(),
  };
}
