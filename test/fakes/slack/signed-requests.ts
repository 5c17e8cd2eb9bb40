/**
 * Sends slash commands and block actions to a Bolt HTTP endpoint exactly as Slack does:
 * form-encoded bodies signed with `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`.
 * Timestamp and signature can be overridden for negative tests.
 */
import { createHmac } from 'node:crypto';

/** How to sign a request. */
export interface SigningOptions {
  readonly signingSecret: string;
  /** Unix seconds; default now. */
  readonly timestamp?: number;
  /** Replaces the computed `X-Slack-Signature`. */
  readonly signature?: string;
}

/** The HTTP answer Bolt gave. */
export interface SlackHttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Fields of a slash command; everything but `text` and `response_url` has a sensible default. */
export interface SlashCommandFields {
  readonly text: string;
  readonly response_url: string;
  readonly command?: string;
  readonly channel_id?: string;
  readonly channel_name?: string;
  readonly user_id?: string;
  readonly user_name?: string;
  readonly team_id?: string;
}

/** Computes Slack's request signature. */
export function signSlackRequest(signingSecret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

/** The full form of a slash command as Slack sends it. */
export function slashCommandForm(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'deprecated-verification-token',
    team_id: fields.team_id ?? 'T0FAKE',
    team_domain: 'fake',
    channel_id: fields.channel_id ?? 'C0OPS',
    channel_name: fields.channel_name ?? 'ops',
    user_id: fields.user_id ?? 'U0ALICE',
    user_name: fields.user_name ?? 'alice',
    command: fields.command ?? '/task-status',
    text: fields.text,
    api_app_id: 'A0FAKE',
    is_enterprise_install: 'false',
    response_url: fields.response_url,
    trigger_id: `trigger-${Date.now()}`,
  };
}

/** POSTs a signed, form-encoded body to `url`. */
export async function postSigned(url: string, rawBody: string, signing: SigningOptions): Promise<SlackHttpAnswer> {
  const timestamp = signing.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signing.signature ?? signSlackRequest(signing.signingSecret, timestamp, rawBody);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signature,
    },
    body: rawBody,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

/** Sends a slash command to a Bolt endpoint. */
export function postSlashCommand(url: string, fields: SlashCommandFields, signing: SigningOptions): Promise<SlackHttpAnswer> {
  return postSigned(url, new URLSearchParams(slashCommandForm(fields)).toString(), signing);
}

/** Sends an interactivity payload (`payload=<json>`) to a Bolt endpoint. */
export function postInteraction(url: string, payload: unknown, signing: SigningOptions): Promise<SlackHttpAnswer> {
  return postSigned(url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), signing);
}

/** A button as found in a posted message's blocks. */
export interface FoundButton {
  readonly blockId: string;
  readonly actionId: string;
  readonly value: string;
  readonly text: string;
}

/** Finds a button by action ID in Block Kit blocks. */
export function findButton(blocks: unknown, actionId: string): FoundButton | null {
  if (!Array.isArray(blocks)) return null;
  for (const block of blocks as Array<Record<string, unknown>>) {
    if (block['type'] !== 'actions' || !Array.isArray(block['elements'])) continue;
    for (const element of block['elements'] as Array<Record<string, unknown>>) {
      if (element['action_id'] === actionId) {
        return {
          blockId: String(block['block_id'] ?? ''),
          actionId,
          value: String(element['value'] ?? ''),
          text: String((element['text'] as Record<string, unknown> | undefined)?.['text'] ?? ''),
        };
      }
    }
  }
  return null;
}

/** Details of a block action press. */
export interface BlockActionFields {
  readonly button: FoundButton;
  readonly channelId: string;
  readonly messageTs: string;
  readonly messageBlocks: unknown;
  readonly responseUrl: string;
  readonly userId?: string;
}

/** A `block_actions` payload as Slack sends it when a button in a channel message is pressed. */
export function blockActionPayload(fields: BlockActionFields): Record<string, unknown> {
  const userId = fields.userId ?? 'U0ALICE';
  return {
    type: 'block_actions',
    user: { id: userId, username: 'alice', name: 'alice', team_id: 'T0FAKE' },
    api_app_id: 'A0FAKE',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channelId, is_ephemeral: false },
    trigger_id: `trigger-${Date.now()}`,
    team: { id: 'T0FAKE', domain: 'fake' },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: fields.channelId, name: 'ops' },
    message: { type: 'message', ts: fields.messageTs, user: 'U0FAKEBOT', bot_id: 'B0FAKE', text: '', blocks: fields.messageBlocks },
    state: { values: {} },
    response_url: fields.responseUrl,
    actions: [
      {
        action_id: fields.button.actionId,
        block_id: fields.button.blockId,
        text: { type: 'plain_text', text: fields.button.text, emoji: true },
        value: fields.button.value,
        type: 'button',
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  };
}
