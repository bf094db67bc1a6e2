/**
 * Enrollment photo feedback: turns what the engine saw (FaceInspection) and the best match
 * against other enrolled people into issues an admin can act on. Errors refuse the photo,
 * warnings accept it (a poor enrolment photo costs recognition later, so say so).
 */
import type { DetectedFace, FaceInspection } from '../ports/face-index.js';

export type PhotoIssueCode =
  | 'not_an_image' // content is not a decodable JPEG/PNG
  | 'too_large' // bytes or pixels over the limit
  | 'no_face'
  | 'multiple_faces'
  | 'face_too_small'
  | 'blurry'
  | 'pose' // head turned or tilted too far
  | 'matches_other_person'; // already looks like someone else who is enrolled

export interface PhotoIssue {
  code: PhotoIssueCode;
  /** 'error' refuses the photo; 'warning' accepts it but says what would be better. */
  severity: 'error' | 'warning';
  message: string;
}

export interface PhotoQualityThresholds {
  /** A second face wider than this fraction of the largest makes the photo ambiguous. */
  secondFaceRatio: number;
  /** Face box width in pixels below which the face carries too little detail to enrol. */
  minFaceWidthPx: number;
  /** Sharpness (0..100) below which the face is refused as too blurred to enrol. */
  minEnrolSharpness: number;
  /** Sharpness (0..100) below which an accepted face is called blurry (a warning). */
  minSharpness: number;
  /** Degrees of yaw or pitch beyond which the head is too turned or tilted. */
  maxPoseDeg: number;
}

export const DEFAULT_PHOTO_QUALITY: PhotoQualityThresholds = {
  secondFaceRatio: 0.5,
  // 80 px: below that, 250×250 portrait crops and 640×480 door frames alike lose the detail
  // the embedders need (they work on 112 px aligned crops).
  minFaceWidthPx: 80,
  // 20: no dev photo as taken is below it (lowest 21 of 240), while 95 % of those photos blurred
  // with σ 2 and all with σ 3 are (bench/enrol-sharpness-floor.ts, npm run bench:enrol-sharpness;
  // figures in bench-results/enrol-sharpness-floor.json). Same measure and scale as the door's
  // face gate (lib/sharpness.ts), taken on the engine's aligned face crop.
  minEnrolSharpness: 20,
  // 25, the door's face-gate floor: a photo the door would refuse as a frame earns a warning.
  minSharpness: 25,
  maxPoseDeg: 30,
};

export interface OtherPersonMatch {
  personId: string;
  name: string;
  similarity: number;
}

export function assessPhotoQuality(
  inspection: FaceInspection,
  otherPersonMatch: OtherPersonMatch | null = null,
  thresholds: PhotoQualityThresholds = DEFAULT_PHOTO_QUALITY,
): PhotoIssue[] {
  const largest = largestFace(inspection.faces);
  if (!largest) {
    return [{ code: 'no_face', severity: 'error', message: 'No face was found in the photo.' }];
  }
  const issues: PhotoIssue[] = [];

  const others = inspection.faces.filter((f) => f !== largest);
  if (others.length > 0) {
    const biggestOther = Math.max(...others.map((f) => f.box.width));
    if (biggestOther > largest.box.width * thresholds.secondFaceRatio) {
      issues.push({
        code: 'multiple_faces',
        severity: 'error',
        message: `The photo shows ${inspection.faces.length} faces of similar size; use a photo of this person alone.`,
      });
    } else {
      issues.push({
        code: 'multiple_faces',
        severity: 'warning',
        message: 'Other, smaller faces are in the background; the largest face is used.',
      });
    }
  }

  if (largest.box.width < thresholds.minFaceWidthPx) {
    issues.push({
      code: 'face_too_small',
      severity: 'error',
      message: `The face is ${Math.round(largest.box.width)} px wide; at least ${thresholds.minFaceWidthPx} px is needed (move closer or crop less).`,
    });
  }

  if (largest.sharpness !== null && largest.sharpness < thresholds.minEnrolSharpness) {
    issues.push({
      code: 'blurry',
      severity: 'error',
      message: `The face is too blurred to enrol (sharpness ${largest.sharpness.toFixed(0)} of 100, at least ${thresholds.minEnrolSharpness} needed); use a sharper photo.`,
    });
  } else if (largest.sharpness !== null && largest.sharpness < thresholds.minSharpness) {
    issues.push({
      code: 'blurry',
      severity: 'warning',
      message: `The face looks blurry (sharpness ${largest.sharpness.toFixed(0)} of 100); a sharper photo recognises better.`,
    });
  }

  const turned = [
    ['turned', largest.yaw],
    ['tilted', largest.pitch],
  ] as const;
  for (const [how, degrees] of turned) {
    if (degrees !== null && Math.abs(degrees) > thresholds.maxPoseDeg) {
      issues.push({
        code: 'pose',
        severity: 'warning',
        message: `The head is ${how} ${Math.abs(Math.round(degrees))}° (over ${thresholds.maxPoseDeg}°); a frontal photo recognises better.`,
      });
      break;
    }
  }

  if (otherPersonMatch) {
    issues.push({
      code: 'matches_other_person',
      severity: 'error',
      message: `This face already matches ${otherPersonMatch.name} (similarity ${otherPersonMatch.similarity.toFixed(2)}); enrolling it would confuse the two.`,
    });
  }
  return issues;
}

export function hasErrors(issues: PhotoIssue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** The engine lists faces largest first, but do not rely on it: a wrong pick would judge the wrong face. */
function largestFace(faces: DetectedFace[]): DetectedFace | undefined {
  let best: DetectedFace | undefined;
  for (const f of faces) if (!best || f.box.width * f.box.height > best.box.width * best.box.height) best = f;
  return best;
}
