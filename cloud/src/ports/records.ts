/** Records port: people, their enrolled faces, doors and the audit log (SQLite locally, DynamoDB on AWS). */
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../domain/types.js';

export interface PersonFilter {
  /** Case-insensitive substring of the name. */
  search?: string;
  status?: Person['status'];
}

export interface DoorStatePatch {
  online?: boolean;
  lock?: Door['lock'];
  lastSeenAt?: number;
  agentVersion?: string | null;
}

export interface Records {
  // people
  putPerson(person: Person): Promise<void>;
  getPerson(personId: string): Promise<Person | null>;
  listPeople(filter?: PersonFilter): Promise<Person[]>;
  /** Removes the person and their face rows; returns the faces that were removed. */
  deletePerson(personId: string): Promise<EnrolledFace[]>;

  // faces
  addFace(face: EnrolledFace): Promise<void>;
  listFaces(personId: string): Promise<EnrolledFace[]>;
  getFace(faceId: string): Promise<EnrolledFace | null>;

  // doors
  putDoor(door: Door): Promise<void>;
  getDoor(doorId: string): Promise<Door | null>;
  listDoors(): Promise<Door[]>;
  updateDoorState(doorId: string, patch: DoorStatePatch): Promise<void>;

  // audit log
  appendEvent(event: AuditEvent): Promise<void>;
  listEvents(filter?: EventFilter): Promise<{ events: AuditEvent[]; cursor: string | null }>;
  /**
   * Erasure: unlinks a person from the log (personId, personName, snapshotKey set to null) and
   * returns the snapshot keys that were unlinked so the caller can delete the images.
   */
  redactPersonEvents(personId: string): Promise<string[]>;

  close(): Promise<void>;
}
