/** `taskwatch sandbox [--port N] [--host H] [--no-demo]`: the cloud sandbox on its own, until Ctrl-C. */
import { parseArgs } from 'node:util';
import { EXIT, firstLine, type CliIo } from './io';

const USAGE = `Usage: taskwatch sandbox [--port N] [--host H] [--no-demo]

Runs a local server that answers Tencent Cloud and Alibaba Cloud task APIs on the wire,
with demo tasks that progress in real time. Stop it with Ctrl-C.`;

/** Runs the standalone sandbox until SIGINT/SIGTERM; resolves to the exit code. */
export async function runSandboxCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'no-demo': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    io.err.write(`taskwatch sandbox: ${firstLine(error).slice(0, 160) || 'bad arguments'}\n`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const port = values.port === undefined ? 9000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    io.err.write('taskwatch sandbox: --port must be a whole number from 0 to 65535\n');
    return EXIT.usage;
  }
  const { runStandaloneSandbox } = await import('../sandbox/standalone');
  const sandbox = await runStandaloneSandbox({ host: values.host ?? '127.0.0.1', port, demo: !values['no-demo'], out: io.out });
  await new Promise<void>((resolve) => {
    // Whichever signal comes first, neither listener may stay behind.
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sandbox.stop();
  return EXIT.ok;
}
