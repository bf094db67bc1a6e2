/**
 * Five alignment landmarks from Human's 468-point face mesh (MediaPipe indices), image-left
 * first, in the order of the ArcFace template: eye centres, nose tip, mouth corners.
 */
import type { Point } from './align.js';

type MeshPoint = [number, number, number?] | number[];

const EYE_IMAGE_LEFT = [33, 133];
const EYE_IMAGE_RIGHT = [362, 263];
const NOSE_TIP = 4;
const MOUTH_IMAGE_LEFT = 61;
const MOUTH_IMAGE_RIGHT = 291;

function at(mesh: MeshPoint[], index: number): Point {
  const p = mesh[index];
  if (!p || p.length < 2) throw new Error(`face mesh lacks point ${index}`);
  return [p[0], p[1]];
}

function mean(points: Point[]): Point {
  const x = points.reduce((s, p) => s + p[0], 0) / points.length;
  const y = points.reduce((s, p) => s + p[1], 0) / points.length;
  return [x, y];
}

export function fivePointsFromMesh(mesh: MeshPoint[]): Point[] {
  return [
    mean(EYE_IMAGE_LEFT.map((i) => at(mesh, i))),
    mean(EYE_IMAGE_RIGHT.map((i) => at(mesh, i))),
    at(mesh, NOSE_TIP),
    at(mesh, MOUTH_IMAGE_LEFT),
    at(mesh, MOUTH_IMAGE_RIGHT),
  ];
}
