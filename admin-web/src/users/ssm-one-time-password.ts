/**
 * OneTimePasswordDrop in SSM Parameter Store, for the AWS admin host: the password becomes a
 * SecureString encrypted with the stack's KMS key, readable by whoever may decrypt with that key
 * (`aws ssm get-parameter --with-decryption`), never written to the journal or the instance's
 * disk, and deleted at the account's first sign-in. The host's role may put and delete only under
 * its site's prefix (infra/lib/admin-host.ts).
 */
import { DeleteParameterCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { asUpstream, callAws, isAwsError } from '../../../cloud/src/adapters/aws/aws-errors.js';
import type { OneTimePasswordDrop } from './one-time-password-drop.js';
import { USERNAME_PATTERN } from './username.js';

export interface SsmOneTimePasswordOptions {
  client: Pick<SSMClient, 'send'>;
  /** Path ending in '/', e.g. /facegate/main/admin/one-time-password/ */
  prefix: string;
  /** The KMS key the SecureString is encrypted with (the stack's customer key). */
  kmsKeyId: string;
}

export class SsmOneTimePassword implements OneTimePasswordDrop {
  constructor(private readonly options: SsmOneTimePasswordOptions) {
    if (!options.prefix.startsWith('/') || !options.prefix.endsWith('/')) {
      throw new Error(`SSM prefix must start and end with '/', got ${JSON.stringify(options.prefix)}`);
    }
  }

  parameterName(username: string): string {
    // Usernames are [a-z0-9._-] (checked again here: this becomes part of a parameter path).
    if (!USERNAME_PATTERN.test(username)) throw new Error(`not a username: ${JSON.stringify(username)}`);
    return `${this.options.prefix}${username}`;
  }

  async put(username: string, password: string): Promise<string> {
    const name = this.parameterName(username);
    await callAws('SSM', 'PutParameter', () =>
      this.options.client.send(
        new PutParameterCommand({
          Name: name,
          Value: password,
          Type: 'SecureString',
          KeyId: this.options.kmsKeyId,
          Overwrite: true,
          Description: `FaceGate one-time password of admin ${username}; deleted at the first sign-in`,
        }),
      ),
    );
    return name;
  }

  async remove(username: string): Promise<boolean> {
    try {
      await this.options.client.send(new DeleteParameterCommand({ Name: this.parameterName(username) }));
      return true;
    } catch (err) {
      if (isAwsError(err, 'ParameterNotFound')) return false;
      throw asUpstream('SSM', 'DeleteParameter', err);
    }
  }
}
