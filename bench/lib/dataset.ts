/**
 * The open-set split of a face photo folder (layout DIR/<Person_Name>/<n>.jpg), as in
 * ../shared/faces/README.md: people sorted by name, photos in natural order; people with two or
 * more photos enroll their first N and probe with the rest (mated); people with one photo are
 * strangers (non-mated probes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { calibrationHalf, type CalibrationHalf } from './calibration-split.js';

const IMAGE = /\.(jpe?g|png|webp)$/i;
const natural = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export interface BenchPerson {
  name: string;
  enroll: string[];
  probes: string[];
}

export interface OpenSetSplit {
  /** People with two or more photos. */
  enrolled: BenchPerson[];
  /** One photo each. */
  strangers: { name: string; photo: string }[];
}

export function listPeople(dir: string): { name: string; photos: string[] }[] {
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => ({
    name,
    photos: fs
      .readdirSync(path.join(dir, name))
      .filter((f) => IMAGE.test(f))
      .sort(natural.compare)
      .map((f) => path.join(dir, name, f)),
  }));
}

export interface SplitOptions {
  /** Keep only the first N people (after sorting), for quick runs and tests. */
  sample?: number;
  /** Keep only the people of one calibration half (see calibration-split.ts); default everyone. */
  half?: CalibrationHalf;
  /**
   * First photo (0-based) used as a probe; default `enrollCount`. `--enroll 1` with probes from 3
   * searches exactly the probes of `--enroll 3`, so one and three photos compare on the same probes.
   */
  probeFrom?: number;
}

/**
 * The protocol's split of the people kept by `options`. The calibration half is applied to people
 * before they are told apart into enrolled and strangers, so each half is a whole open-set
 * experiment of its own: its own gallery, its own mated probes, its own strangers.
 */
export function openSetSplit(dir: string, enrollCount: number, options: SplitOptions = {}): OpenSetSplit {
  let people = listPeople(dir).filter((p) => p.photos.length > 0);
  if (options.sample !== undefined) people = people.slice(0, options.sample);
  if (options.half !== undefined) people = people.filter((p) => calibrationHalf(p.name) === options.half);
  const probeFrom = Math.max(enrollCount, options.probeFrom ?? enrollCount);
  const enrolled: BenchPerson[] = [];
  const strangers: OpenSetSplit['strangers'] = [];
  for (const p of people) {
    if (p.photos.length >= 2)
      enrolled.push({ name: p.name, enroll: p.photos.slice(0, enrollCount), probes: p.photos.slice(probeFrom) });
    else strangers.push({ name: p.name, photo: p.photos[0]! });
  }
  return { enrolled, strangers };
}
