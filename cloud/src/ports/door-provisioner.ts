/**
 * Door provisioner port: issues a door's client certificate (local CA, or AWS IoT
 * CreateKeysAndCertificate + policy + thing) and says where the door must connect.
 */
export interface DoorCredentials {
  /** The site the door belongs to: part of its MQTT topics. */
  siteId: string;
  doorId: string;
  /** MQTT client id the door must connect with, when it is not the door id (on AWS IoT: its thing name). */
  clientId?: string;
  certificatePem: string;
  privateKeyPem: string;
  /** CA that signed the broker's server certificate (Amazon Root CA 1 on AWS). */
  caPem: string;
  endpoint: string;
  port: number;
}

export interface DoorProvisioner {
  provision(doorId: string): Promise<DoorCredentials>;
  /** Revokes a door's certificate(s) so it can no longer connect. */
  revoke(doorId: string): Promise<void>;
}
