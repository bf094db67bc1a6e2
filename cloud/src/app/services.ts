/**
 * What the admin site and the CLI can do, independent of which back end (local or AWS) runs
 * underneath. The composition root of each process builds one of these from its adapters.
 */
import type { AuditEvent, Door, EnrolledFace, EventFilter, Person } from '../domain/types.js';
import type { DoorWiring } from '../domain/door-wiring.js';
import type { DetectedFace } from '../ports/face-index.js';
import type { DoorCertificateInfo, DoorCredentials } from '../ports/door-provisioner.js';
import type { DoorBundleFile, DoorHardware } from './door-bundle.js';
import type { PersonFilter } from '../ports/records.js';
import type { PhotoIssue } from '../domain/photo-quality.js';

// Photo issues are the domain's verdict on a photo; re-exported so callers of the services need one import.
export type { PhotoIssue, PhotoIssueCode } from '../domain/photo-quality.js';

export interface PhotoCheck {
  ok: boolean;
  issues: PhotoIssue[];
  face: DetectedFace | null;
  faceCount: number;
  /** When it matches someone already enrolled (other than the person being enrolled). */
  matchedPerson: { personId: string; name: string; similarity: number } | null;
}

export interface EnrollPhotoResult extends PhotoCheck {
  /** Set when the photo was indexed. */
  faceId: string | null;
}

export interface NewPerson {
  name: string;
  validFrom?: number | null;
  validUntil?: number | null;
  allowedDoors?: string[] | null;
}

export type PersonPatch = Partial<Pick<Person, 'name' | 'status' | 'validFrom' | 'validUntil' | 'allowedDoors'>>;

export interface NewDoor {
  doorId: string;
  name: string;
  pulseMs?: number;
  /** How the Pi is wired (default: relay on GPIO 17, no contact, no exit button). Given again when
   * re-provisioning, it replaces the stored wiring. */
  wiring?: DoorWiring;
}

export interface CertificateOptions {
  /** The door's own PKCS#10 request: its key never leaves the door. */
  csrPem?: string;
  /** What the bundle's agent config drives: a Raspberry Pi's camera and relay (default) or simulated ones. */
  hardware?: DoorHardware;
}

export interface RenewOptions extends CertificateOptions {
  /** The door's wiring from now on, stored and put in the new bundle; absent keeps the stored wiring. */
  wiring?: DoorWiring;
}

/** Everything a field tech needs to bring a door up: credentials plus the agent's config file. */
export interface DoorBundle {
  credentials: DoorCredentials;
  /** The agent config (agent/src/config.ts schema) pointing at the files below by relative path. */
  agentConfig: Record<string, unknown>;
  /** The same as one file with the certificates inline: what `facegate agent --config` and the door kit take. */
  file: DoorBundleFile;
}

export type DoorChangeListener = (door: Door) => void;

export interface Actor {
  /** Admin username or 'cli'. */
  name: string;
}

export interface FacegateServices {
  people: {
    list(filter?: PersonFilter): Promise<(Person & { faceCount: number })[]>;
    get(personId: string): Promise<(Person & { faces: EnrolledFace[] }) | null>;
    create(input: NewPerson, actor: Actor): Promise<Person>;
    update(personId: string, patch: PersonPatch, actor: Actor): Promise<Person>;
    /** Erasure: faces from the index, photos and snapshots from the store, the person record; the log is redacted. */
    erase(personId: string, actor: Actor): Promise<void>;
    /**
     * Removes one enrolled photo: its face from the index (it stops matching), the sealed photo
     * from the store and its face record; logged. NotFoundError when the person has no such face.
     */
    removePhoto(personId: string, faceId: string, actor: Actor): Promise<void>;
  };
  enrollment: {
    /** Checks a photo without enrolling it (immediate feedback in the admin site). */
    checkPhoto(image: Uint8Array, forPersonId?: string): Promise<PhotoCheck>;
    /** Checks and indexes each photo (1–5); reports progress after each one. */
    enroll(
      personId: string,
      photos: Uint8Array[],
      actor: Actor,
      onProgress?: (done: number, total: number, result: EnrollPhotoResult) => void,
    ): Promise<EnrollPhotoResult[]>;
    getPhoto(photoKey: string): Promise<{ bytes: Buffer; contentType: string } | null>;
  };
  doors: {
    list(): Promise<Door[]>;
    get(doorId: string): Promise<Door | null>;
    /**
     * Registers the door and issues its certificate; the bundle is shown once (private key inside
     * unless a CSR was given). A door that already exists gets a new certificate only when it has
     * no valid one left (it was revoked, or its certificate expired): re-provisioning.
     */
    create(input: NewDoor, actor: Actor, options?: CertificateOptions): Promise<{ door: Door; bundle: DoorBundle }>;
    /** Disabled: its frames are refused (and logged) and remote unlock is refused; enabled again undoes it. */
    setEnabled(doorId: string, enabled: boolean, actor: Actor): Promise<Door>;
    /** Revokes every certificate of the door: it is dropped now and can never connect with them again. */
    revoke(doorId: string, actor: Actor): Promise<void>;
    /** Issues the door's next certificate (the current one stays valid until it expires or is revoked). */
    renew(doorId: string, actor: Actor, options?: RenewOptions): Promise<{ door: Door; bundle: DoorBundle }>;
    /** Deletes the door: certificates revoked and removed, its record and live state gone; its audit events stay. */
    remove(doorId: string, actor: Actor): Promise<void>;
    /** The door's certificates, newest first, with status and expiry. */
    certificates(doorId: string): Promise<DoorCertificateInfo[]>;
    remoteUnlock(doorId: string, reason: string, actor: Actor): Promise<{ decisionId: string }>;
    /** Clears the door's forced/held-open alarm (logged with who and what); a door without one is unchanged. */
    acknowledgeAlarm(doorId: string, actor: Actor): Promise<Door>;
    /** Live online/lock changes; returns an unsubscribe function. */
    subscribe(listener: DoorChangeListener): () => void;
  };
  events: {
    list(filter?: EventFilter): Promise<{ events: AuditEvent[]; cursor: string | null }>;
    getSnapshot(snapshotKey: string): Promise<{ bytes: Buffer; contentType: string } | null>;
  };
}
