/**
 * Door provisioner port: issues a door's client certificate (local CA, or AWS IoT), says where
 * the door must connect, and manages the door's certificates over its life: disable, revoke,
 * renew, and remove when the door is deleted.
 */
export interface DoorCredentials {
  /** The site the door belongs to: part of its MQTT topics. */
  siteId: string;
  doorId: string;
  /** MQTT client id the door must connect with, when it is not the door id (on AWS IoT: its thing name). */
  clientId?: string;
  certificatePem: string;
  /** Absent when the door sent a certificate signing request: its key never left the door. */
  privateKeyPem?: string;
  /** CA that signed the broker's server certificate (Amazon Root CA 1 on AWS). */
  caPem: string;
  endpoint: string;
  port: number;
  /** When the certificate stops being valid (epoch ms). */
  notAfter: number;
}

export interface ProvisionOptions {
  /**
   * PEM PKCS#10 request made on the door. Only its public key is used (after its signature is
   * checked): the certificate's subject is always the door id, whatever the request says.
   */
  csrPem?: string;
  /**
   * Keep the door's earlier certificates valid (renewal: the door swaps to the new one when it is
   * installed). Without it, earlier certificates are revoked, so re-provisioning a door leaves it
   * with exactly one identity.
   */
  keepPrevious?: boolean;
}

export type CertificateStatus = 'active' | 'inactive' | 'revoked' | 'expired';

export interface DoorCertificateInfo {
  /** Serial (local CA) or certificate id (AWS IoT). */
  id: string;
  status: CertificateStatus;
  notAfter: number;
}

export interface DoorProvisioner {
  provision(doorId: string, options?: ProvisionOptions): Promise<DoorCredentials>;
  /** Revokes a door's certificate(s) so it can no longer connect; connected doors are dropped. */
  revoke(doorId: string): Promise<void>;
  /**
   * A disabled door's certificates are suspended where the platform can do that (IoT: INACTIVE;
   * re-enabling makes them ACTIVE again, revoked ones stay revoked). Locally the broker keeps the
   * door connected and the back end refuses its frames instead.
   */
  setEnabled(doorId: string, enabled: boolean): Promise<void>;
  /** Deletes the door's certificates (revoked first) and its IoT thing; nothing of it is left to connect. */
  remove(doorId: string): Promise<void>;
  /** The door's certificates, newest first ([] for an unknown door). */
  certificates(doorId: string): Promise<DoorCertificateInfo[]>;
}
