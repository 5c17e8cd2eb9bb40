/**
 * A watch worker in its own process, for the crash and two-worker tests. Started by
 * `scripts/run-ts.js` with the setup as JSON in argv; prints "ready" once its workers run and stops
 * gracefully on SIGTERM (tests also SIGKILL it).
 */
import { startTestEngine, type EngineSetup } from './engine-setup';

async function main(): Promise<void> {
  const setup = JSON.parse(process.argv[2] ?? '{}') as EngineSetup;
  const running = await startTestEngine(setup);
  process.once('SIGTERM', () => {
    void running.stop().then(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`worker failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
