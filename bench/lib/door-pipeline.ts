/**
 * The door pipeline bench:accuracy --visits runs: the agent's face gate and frame choice and the
 * back end's fusion rule. Built from the project's own modules; see `describe` for which.
 */
import { MAX_FRAMES_PER_VISIT } from '../../protocol/index.js';
import { FUSION_RULES } from './fusion-rules.js';
import type { GateOutcome, VisitPipeline } from './run-visits.js';

/**
 * Without a face gate on the door every frame passes, and the frames nearest the door (the
 * largest faces) are sent, at most `maxSent`.
 */
export async function openDoorPipeline(
  options: { maxSent?: number; fusion?: string } = {},
): Promise<VisitPipeline & { close(): Promise<void> }> {
  const maxSent = Math.min(MAX_FRAMES_PER_VISIT, options.maxSent ?? 2);
  const fusionName = options.fusion ?? 'backend';
  const fuse = FUSION_RULES[fusionName];
  if (!fuse) throw new Error(`unknown fusion rule ${fusionName} (${Object.keys(FUSION_RULES).join(', ')})`);
  return {
    describe: {
      gate: 'none (every frame passes)',
      choice: `the last ${maxSent} frames (largest faces)`,
      fusion:
        fusionName === 'backend'
          ? 'fuseVisit of cloud/src/domain/visit-fusion.ts (its default rule)'
          : `${fusionName} (bench/lib/fusion-rules.ts)`,
    },
    gate: async (): Promise<GateOutcome> => ({ ok: true, sizePx: 0, sharpness: 0, frontality: 0 }),
    choose: (frames) =>
      frames
        .map((g, i) => ({ g, i }))
        .filter(({ g }) => g.ok)
        .slice(-maxSent)
        .map(({ i }) => i),
    fuse,
    close: async () => undefined,
  };
}
