import { describe, expect, it } from 'vitest';
import { assessPhotoQuality, hasErrors } from '../../cloud/src/domain/photo-quality.js';
import type { DetectedFace, FaceInspection } from '../../cloud/src/ports/face-index.js';

function face(width: number, overrides: Partial<DetectedFace> = {}): DetectedFace {
  return {
    box: { x: 10, y: 10, width, height: width * 1.2 },
    confidence: 0.98,
    yaw: 0,
    pitch: 0,
    roll: 0,
    sharpness: 60,
    ...overrides,
  };
}
const photo = (...faces: DetectedFace[]): FaceInspection => ({ faces, imageWidth: 250, imageHeight: 250 });
const codes = (i: FaceInspection, match: Parameters<typeof assessPhotoQuality>[1] = null) =>
  assessPhotoQuality(i, match).map((x) => `${x.code}:${x.severity}`);

describe('assessPhotoQuality', () => {
  it('accepts a single, large, sharp, frontal face with no issues', () => {
    expect(assessPhotoQuality(photo(face(110)))).toEqual([]);
  });

  it('refuses a photo with no face', () => {
    expect(codes(photo())).toEqual(['no_face:error']);
  });

  it('refuses a second face more than half the size of the largest; warns about small background faces', () => {
    expect(codes(photo(face(120), face(70)))).toEqual(['multiple_faces:error']);
    expect(codes(photo(face(120), face(50)))).toEqual(['multiple_faces:warning']);
  });

  it('judges the largest face even if the engine listed a smaller one first', () => {
    expect(codes(photo(face(40), face(120)))).toEqual(['multiple_faces:warning']);
  });

  it('refuses a face under 80 px wide, accepts one of 80 px (a 250×250 portrait crop has ~100 px faces)', () => {
    expect(codes(photo(face(79)))).toEqual(['face_too_small:error']);
    expect(codes(photo(face(80)))).toEqual([]);
  });

  it('refuses a face below sharpness 20 (issue 10: sharpness 2 was enrolled with a warning), warns from 20 to 25', () => {
    const blurred = assessPhotoQuality(photo(face(110, { sharpness: 2 })));
    expect(blurred.map((x) => `${x.code}:${x.severity}`)).toEqual(['blurry:error']);
    expect(blurred[0]!.message).toMatch(/sharpness 2 of 100, at least 20/);
    expect(hasErrors(blurred)).toBe(true);
    expect(codes(photo(face(110, { sharpness: 19.9 })))).toEqual(['blurry:error']);
    expect(codes(photo(face(110, { sharpness: 20 })))).toEqual(['blurry:warning']);
    expect(codes(photo(face(110, { sharpness: 24.9 })))).toEqual(['blurry:warning']);
    expect(codes(photo(face(110, { sharpness: 25 })))).toEqual([]);
  });

  it('says nothing about blur when sharpness is unknown', () => {
    expect(codes(photo(face(110, { sharpness: null })))).toEqual([]);
  });

  it('warns when the head is turned or tilted over 30°, once', () => {
    expect(codes(photo(face(110, { yaw: 31 })))).toEqual(['pose:warning']);
    expect(codes(photo(face(110, { pitch: -35 })))).toEqual(['pose:warning']);
    expect(codes(photo(face(110, { yaw: 40, pitch: 40 })))).toEqual(['pose:warning']);
    expect(codes(photo(face(110, { yaw: 30, pitch: -30 })))).toEqual([]);
    expect(codes(photo(face(110, { yaw: null, pitch: null })))).toEqual([]);
  });

  it('refuses a face that already matches someone else, naming them', () => {
    const issues = assessPhotoQuality(photo(face(110)), { personId: 'p2', name: 'Bob Example', similarity: 0.91 });
    expect(issues.map((i) => i.code)).toEqual(['matches_other_person']);
    expect(issues[0]!.message).toMatch(/Bob Example/);
    expect(hasErrors(issues)).toBe(true);
  });

  it('keeps warnings non-blocking', () => {
    expect(hasErrors(assessPhotoQuality(photo(face(110, { sharpness: 22, yaw: 45 }))))).toBe(false);
  });
});
