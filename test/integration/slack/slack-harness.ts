/**
 * Wires the real Slack adapter (real Bolt receiver over loopback) to the fake Slack platform
 * and to the real providers talking to the cloud sandbox.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createSlackAdapter, SLACK_EVENTS_PATH, type SlackAdapter } from '../../../src/chat/slack/slack-adapter';
import type { CommandServices } from '../../../src/commands/types';
import type { SlackConfig } from '../../../src/chat/slack/slack-settings';
import type { WatchService } from '../../../src/jobs/watch-service';
import { InMemoryRateBudget } from '../../../src/providers/rate-budget';
import { createProviderRegistry, type ClosableProviderRegistry } from '../../../src/providers/registry';
import { CloudSandbox } from '../../../src/sandbox/cloud-sandbox';
import { sandboxAccounts } from '../../../src/sandbox/sandbox-accounts';
import { ManualClock } from '../../../src/util/clock';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack/fake-slack';

/** The signing secret the harness configures. */
export const SIGNING_SECRET = 'test-signing-secret-8f3a1c9d0e7b';

/** A running harness. */
export interface SlackHarness {
  readonly slack: FakeSlack;
  readonly sandbox: CloudSandbox;
  readonly clock: ManualClock;
  readonly adapter: SlackAdapter;
  /** `http://127.0.0.1:P/slack/events` (HTTP mode only). */
  readonly eventsUrl: string;
  /** Every line the adapter logged. */
  readonly logLines: string[];
  readonly config: SlackConfig;
  stop(): Promise<void>;
}

/** Harness options. */
export interface HarnessOptions {
  readonly mode: 'http' | 'socket';
  readonly providerTimeoutMs?: number;
  readonly watches?: WatchService;
  /** More command services (access, limits, subscriptions), merged over the harness's own. */
  readonly services?: Partial<CommandServices>;
}

/** Starts the fake Slack, the sandbox and the adapter. */
export async function startSlackHarness(options: HarnessOptions): Promise<SlackHarness> {
  const slack = await startFakeSlack();
  const clock = new ManualClock(Date.now());
  const sandbox = await CloudSandbox.start({ clock });
  const accounts = sandboxAccounts(sandbox.url, { tencentRegion: null });
  const providers: ClosableProviderRegistry = createProviderRegistry(
    { accounts, rateLimits: { tencentPerSecond: 15, dcdnPerSecond: 24 }, providerTimeoutMs: options.providerTimeoutMs ?? 5000 },
    { rateBudget: new InMemoryRateBudget() },
  );
  const services: CommandServices = { providers, ...(options.watches ? { watches: options.watches } : {}), ...options.services };
  const config: SlackConfig = {
    botToken: slack.botToken,
    signingSecret: SIGNING_SECRET,
    appToken: options.mode === 'socket' ? slack.appToken : null,
    apiUrl: slack.apiUrl,
  };
  const logLines: string[] = [];
  const logger = {
    info: (...parts: unknown[]) => logLines.push(`INFO ${parts.map(String).join(' ')}`),
    warn: (...parts: unknown[]) => logLines.push(`WARN ${parts.map(String).join(' ')}`),
    error: (...parts: unknown[]) => logLines.push(`ERROR ${parts.map(String).join(' ')}`),
  };

  let server: Server | null = null;
  let eventsUrl = '';
  let adapter: SlackAdapter;
  if (options.mode === 'http') {
    // As in production: one shared Express app and HTTP server, the adapter mounted on it.
    const httpApp = express();
    adapter = createSlackAdapter({ config, services, httpApp, logger });
    await adapter.start();
    server = await new Promise<Server>((resolve) => {
      const listening = httpApp.listen(0, '127.0.0.1', () => resolve(listening));
    });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  } else {
    adapter = createSlackAdapter({ config, services, logger });
    await adapter.start();
  }

  return {
    slack,
    sandbox,
    clock,
    adapter,
    eventsUrl,
    logLines,
    config,
    stop: async () => {
      await adapter.stop();
      if (server) {
        const closing = server;
        closing.closeAllConnections();
        await new Promise<void>((resolve) => closing.close(() => resolve()));
      }
      providers.close();
      await sandbox.stop();
      await slack.stop();
    },
  };
}

/**
 * Every reply taskwatch sent (message bodies of chat.* calls and response_url posts), for leak
 * and injection checks. `auth.test` and `apps.connections.open` carry credentials by design.
 */
export function recordedBodies(slack: FakeSlack): string {
  return slack.calls
    .filter((call) => call.method.startsWith('chat.') || call.method === 'response_url')
    .map((call) => call.rawBody + JSON.stringify(call.body))
    .join('\n');
}

/** The concatenated mrkdwn/plain texts of a message's blocks and fallback text. */
export function textOfMessage(body: Record<string, unknown>): string {
  return `${String(body['text'] ?? '')}\n${JSON.stringify(body['blocks'] ?? [])}`;
}
