/**
 * `taskwatch sandbox`: the cloud sandbox as its own process, printing how to point taskwatch
 * (or any SDK) at it. The demo credentials only open this local sandbox, so printing them is fine.
 */
import { CloudSandbox } from './cloud-sandbox';
import type { DemoTaskIds } from './demo-tasks';

/** Options of {@link runStandaloneSandbox}. */
export interface StandaloneSandboxOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (any free port). */
  readonly port?: number;
  /** Plant the demo tasks; default true. */
  readonly demo?: boolean;
  /** Where to print the endpoint, environment and demo task IDs. */
  readonly out: NodeJS.WritableStream;
}

function describeDemoTasks(ids: DemoTaskIds): string[] {
  return [
    'Demo tasks (they progress over the next two minutes):',
    ...ids.descriptions.map((line) => `  ${line}`),
    '',
    'Try:',
    ...ids.tries.map((line) => `  taskwatch status ${line}`),
  ];
}

/** Starts a sandbox, prints how to use it, and returns it; the caller stops it. */
export async function runStandaloneSandbox(options: StandaloneSandboxOptions): Promise<CloudSandbox> {
  const sandbox = await CloudSandbox.start({ host: options.host, port: options.port, demo: options.demo ?? true });
  const tencent = sandbox.credentials.find((credential) => credential.cloud === 'tencent');
  const alibaba = sandbox.credentials.find((credential) => credential.cloud === 'alibaba');
  const lines = [
    `Cloud sandbox listening on ${sandbox.url} (Tencent Cloud and Alibaba Cloud on one port)`,
    '',
    'Point taskwatch at it:',
    `  export TENCENTCLOUD_ENDPOINT=${sandbox.url}`,
    `  export ALIBABA_CLOUD_DCDN_ENDPOINT=${sandbox.url}`,
    ...(tencent ? [`  export TENCENTCLOUD_SECRET_ID=${tencent.id}`, `  export TENCENTCLOUD_SECRET_KEY=${tencent.secret}`] : []),
    '  export TENCENTCLOUD_REGION=ap-guangzhou',
    ...(alibaba ? [`  export ALIBABA_CLOUD_ACCESS_KEY_ID=${alibaba.id}`, `  export ALIBABA_CLOUD_ACCESS_KEY_SECRET=${alibaba.secret}`] : []),
    '(These demo credentials only open this local sandbox.)',
    '',
    ...(sandbox.demoTaskIds ? describeDemoTasks(sandbox.demoTaskIds) : ['No demo tasks planted.']),
    '',
  ];
  options.out.write(lines.join('\n'));
  return sandbox;
}
