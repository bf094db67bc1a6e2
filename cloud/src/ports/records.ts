/**
 * Records port: people, their enrolled faces, doors and the audit log (SQLite locally, DynamoDB on AWS).
 *
 * Behaviour every adapter must share (checked by test/contracts/records.contract.ts):
 * - put* are upserts: the whole item is replaced.
 * - get* return null for a missing item; deleting or redacting something missing is not an error.
 * - Arrays round-trip exactly (an empty `allowedDoors` stays `[]`, distinct from `null`).
 */
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../domain/types.js';

export interface PersonFilter {
  /** Case-insensitive substring of the name. */
  search?: string;
  status?: Person['status'];
}

/**
 * Fields of a door changed in place. Everything that changes an existing door goes through this,
 * never a read-modify-putDoor: telemetry (alarm, lock, online) and an admin's switch may land at
 * the same moment, and a whole-record write from a stale read would undo the other.
 */
export interface DoorStatePatch {
  /** The admin's switch: a disabled door's frames are refused. */
  enabled?: boolean;
  online?: boolean;
  lock?: Door['lock'];
  lastSeenAt?: number;
  agentVersion?: string | null;
  alarm?: Door['alarm'];
  alarmSince?: number | null;
  /** Set by admins only (Add door, renew, re-provision); the door never reports it. */
  wiring?: Door['wiring'];
}

export interface Records {
  // people
  putPerson(person: Person): Promise<void>;
  getPerson(personId: string): Promise<Person | null>;
  /** Sorted by name (case-insensitive), then personId. */
  listPeople(filter?: PersonFilter): Promise<Person[]>;
  /** Removes the person and their face rows; returns the faces that were removed ([] if none or no such person). */
  deletePerson(personId: string): Promise<EnrolledFace[]>;

  // faces
  /** The person must exist (adapters may reject an orphan face). */
  addFace(face: EnrolledFace): Promise<void>;
  /** Oldest first (createdAt, then faceId). */
  listFaces(personId: string): Promise<EnrolledFace[]>;
  getFace(faceId: string): Promise<EnrolledFace | null>;
  /** Removes one face row (one photo of a person); returns it, or null when there was none. */
  deleteFace(faceId: string): Promise<EnrolledFace | null>;

  // doors
  putDoor(door: Door): Promise<void>;
  getDoor(doorId: string): Promise<Door | null>;
  /** Sorted by doorId. */
  listDoors(): Promise<Door[]>;
  /** Removes the door's record (its live state); its audit events stay. Deleting a missing door is not an error. */
  deleteDoor(doorId: string): Promise<void>;
  /** Changes only the fields present in the patch; an unknown door stays absent (never created), no error. */
  updateDoorState(doorId: string, patch: DoorStatePatch): Promise<void>;

  // audit log
  appendEvent(event: AuditEvent): Promise<void>;
  /**
   * Newest first (`at` descending, then eventId descending). All filters combine (AND); `from`
   * and `to` are inclusive. `limit` defaults to 100 and is capped at 1000. A page may hold fewer
   * than `limit` events even when more follow (DynamoDB filters after reading): keep reading
   * while `cursor` is not null. A cursor is only valid with the same filter; a malformed cursor
   * throws InvalidInputError.
   */
  listEvents(filter?: EventFilter): Promise<{ events: AuditEvent[]; cursor: string | null }>;
  /**
   * Erasure: unlinks a person from the log (personId, personName, snapshotKey set to null) and
   * returns the snapshot keys that were unlinked so the caller can delete the images
   * (each key once, in no particular order). The events themselves stay.
   */
  redactPersonEvents(personId: string): Promise<string[]>;

  close(): Promise<void>;
}
