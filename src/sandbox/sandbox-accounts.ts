/**
 * The cloud accounts that point taskwatch at a running sandbox with its demo credentials: the
 * default run without cloud credentials, `taskwatch status` against the sandbox, and the
 * tests all sign in the same way.
 */
import { DEFAULT_ACCOUNT, type CloudAccount } from '../config';
import { SANDBOX_DEMO_CREDENTIALS } from './types';

/** Options of {@link sandboxAccounts}. */
export interface SandboxAccountOptions {
  /** The Tencent account's default region; default `ap-guangzhou`, where the demo tasks are. */
  readonly tencentRegion?: string | null;
}

/** One `default` account per cloud, signing with the sandbox's demo credentials at `endpoint`. */
export function sandboxAccounts(endpoint: string, options: SandboxAccountOptions = {}): CloudAccount[] {
  const tencentRegion = options.tencentRegion === undefined ? 'ap-guangzhou' : options.tencentRegion;
  return SANDBOX_DEMO_CREDENTIALS.map((credential) =>
    credential.cloud === 'tencent'
      ? { name: DEFAULT_ACCOUNT, cloud: 'tencent', secretId: credential.id, secretKey: credential.secret, region: tencentRegion, endpoint }
      : { name: DEFAULT_ACCOUNT, cloud: 'alibaba', accessKeyId: credential.id, accessKeySecret: credential.secret, region: null, endpoint },
  );
}
