/**
 * A test-only chat platform, not shipped: an incoming-webhook robot, the kind Slack's incoming
 * webhooks, DingTalk's custom robots and WeCom's group robots are. It can post a message to
 * the one channel its webhook URL names, and nothing else: no edits, no threads, no commands.
 * It proves that the platform contract (`src/chat/chat-platform.ts`) fits such a platform with
 * its capabilities off, and that the watch engine's delivery respects them.
 *
 * It has its own name, `robot`, and is listed nowhere in `src`: channel addresses carry any
 * platform's name, so a platform is known by being in the list handed to the process.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defineChatPlatform, type ChatCapabilities } from '../../../src/chat/chat-platform';
import { environmentSection, urlVariable } from '../../../src/config';
import type { ChannelAddress, Notifier, StatusCard, TransitionNotice } from '../../../src/jobs/notifier';

/** Its section of the configuration: the webhook URL, whose token is a secret. */
export interface WebhookRobotSection {
  readonly webhookUrl: string;
}

/** Every capability off: it posts, at most one message a second per channel (DingTalk allows 20 a minute). */
export const WEBHOOK_ROBOT_CAPABILITIES: ChatCapabilities = {
  pacingMs: 1000,
  edits: false,
  editWindowMs: null,
  threads: false,
  receivesCommands: false,
};

/** Posts JSON `{ text }` to the webhook; a card's message ID is made up, since a robot gets none back. */
export class WebhookRobotNotifier implements Notifier {
  readonly platform = 'robot' as const;
  readonly capabilities = WEBHOOK_ROBOT_CAPABILITIES;
  /** Calls the engine made that the robot cannot honour. */
  readonly refused: string[] = [];
  private posted = 0;

  constructor(private readonly webhookUrl: string) {}

  async postCard(_channel: ChannelAddress, card: StatusCard): Promise<string> {
    await this.post(`${card.status.kind} ${card.status.id}: ${card.status.state}`);
    this.posted += 1;
    return `robot-${this.posted}`;
  }

  async updateCard(): Promise<void> {
    this.refused.push('updateCard');
    throw new Error('a webhook robot cannot edit a message');
  }

  async postThreadReply(_channel: ChannelAddress, _messageId: string, notice: TransitionNotice): Promise<void> {
    await this.post(`${notice.current.kind} ${notice.current.id}: ${notice.previous?.state ?? 'new'} -> ${notice.current.state}${notice.endReason ? ` (${notice.endReason})` : ''}`);
  }

  private async post(text: string): Promise<void> {
    const response = await fetch(this.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    if (!response.ok) throw new Error(`webhook answered ${response.status}`);
  }
}

/** The robot as a chat platform, configured with `section` (null: not configured). */
export function webhookRobotPlatform(section: WebhookRobotSection | null) {
  return defineChatPlatform({
    name: 'robot',
    capabilities: WEBHOOK_ROBOT_CAPABILITIES,
    configSection: (): WebhookRobotSection | null => section,
    secrets: (configured) => [configured.webhookUrl],
    setupHint: 'Webhook robot: set its webhook URL.',
    // Receives nothing, in any role: a notifier and no routes, readiness, start or stop.
    create: async (configured) => ({ notifier: new WebhookRobotNotifier(configured.webhookUrl) }),
  });
}

/**
 * The robot as a platform would ship: configured by its own variable, `ROBOT_WEBHOOK_URL`,
 * declared here, which `loadConfig` reads like any other when the robot is in its list.
 */
export function webhookRobotPlatformFromEnvironment() {
  return defineChatPlatform({
    name: 'robot',
    capabilities: WEBHOOK_ROBOT_CAPABILITIES,
    environment: environmentSection({
      fields: { ROBOT_WEBHOOK_URL: urlVariable('ROBOT_WEBHOOK_URL', ['http:', 'https:']) },
      build: (values): WebhookRobotSection | null => (values.ROBOT_WEBHOOK_URL === null ? null : { webhookUrl: values.ROBOT_WEBHOOK_URL }),
    }),
    secrets: (configured) => [configured.webhookUrl],
    setupHint: 'Webhook robot: set ROBOT_WEBHOOK_URL.',
    create: async (configured) => ({ notifier: new WebhookRobotNotifier(configured.webhookUrl) }),
  });
}

/** A local stand-in for the robot's webhook endpoint: records the texts posted to it. */
export class FakeWebhook {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly texts: string[],
  ) {}

  static async start(): Promise<FakeWebhook> {
    const texts: string[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        texts.push(String((JSON.parse(body) as { text?: unknown }).text));
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as AddressInfo;
    return new FakeWebhook(server, `http://127.0.0.1:${port}/robot/send?access_token=robot-secret-token-123`, texts);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
