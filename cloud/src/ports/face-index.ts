/**
 * Face index port: what Rekognition's collection does (IndexFaces, SearchFacesByImage,
 * DeleteFaces), and what the local engine + SQLite embedding store do behind the same calls.
 * Images are JPEG/PNG bytes; every call picks the largest face in the image.
 */

export interface FaceBox {
  /** Pixels in the (EXIF-rotated) image. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetectedFace {
  box: FaceBox;
  /** Detector confidence, 0..1. */
  confidence: number;
  /** Head pose in degrees where the engine knows it. */
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  /** Relative sharpness of the face crop, 0..100 (Rekognition's Quality.Sharpness scale); null if unknown. */
  sharpness: number | null;
}

export interface FaceMatch {
  faceId: string;
  personId: string;
  /** 0..1; comparable only to this index's `threshold`. */
  similarity: number;
}

export interface FaceSearchResult {
  /** The largest face, or null when no face was found. */
  face: DetectedFace | null;
  /** All faces found in the image. */
  faceCount: number;
  /** Best first; at most one per person; only matches at or above `minSimilarity`. */
  matches: FaceMatch[];
}

export interface FaceInspection {
  faces: DetectedFace[]; // largest first
  imageWidth: number;
  imageHeight: number;
}

export interface FaceSearchOptions {
  /** Defaults to the index's calibrated `threshold`. */
  minSimilarity?: number;
  /** Defaults to 5. */
  maxMatches?: number;
}

export interface FaceIndex {
  /** Similarity at or above which a match counts as the person (calibrated per engine). */
  readonly threshold: number;
  /** Detect faces without touching the index (enrollment feedback). */
  inspect(image: Uint8Array): Promise<FaceInspection>;
  /** Search the largest face in the image. */
  search(image: Uint8Array, options?: FaceSearchOptions): Promise<FaceSearchResult>;
  /** Add the largest face of the image to the index under this person; returns the new face id. */
  index(personId: string, image: Uint8Array): Promise<{ faceId: string; face: DetectedFace }>;
  deleteFaces(faceIds: string[]): Promise<void>;
  /** Faces currently indexed (for the admin site's counts and erasure checks). */
  countFaces(): Promise<number>;
  close(): Promise<void>;
}
