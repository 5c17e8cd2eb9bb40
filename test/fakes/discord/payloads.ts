/**
 * Discord API objects as the real API shapes them (v10), built for the fake. discord.js reads
 * these with few guards, so each builder fills every field a real payload carries.
 */

const DISCORD_EPOCH = 1420070400000n;
let increment = 0n;

/** A new snowflake: milliseconds since the Discord epoch in the top bits, like Discord's own IDs. */
export function nextSnowflake(): string {
  increment = (increment + 1n) % 4096n;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}

/** A user as the API returns it. */
export interface ApiUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: string | null;
  bot?: boolean;
  system?: boolean;
  flags?: number;
  public_flags?: number;
}

/** A channel (text channel or thread) as the API returns it. */
export interface ApiChannel {
  id: string;
  type: number;
  guild_id?: string;
  name: string;
  position?: number;
  parent_id: string | null;
  permission_overwrites?: unknown[];
  topic?: string | null;
  nsfw?: boolean;
  last_message_id: string | null;
  rate_limit_per_user: number;
  flags: number;
  owner_id?: string;
  message_count?: number;
  member_count?: number;
  thread_metadata?: {
    archived: boolean;
    auto_archive_duration: number;
    archive_timestamp: string;
    locked: boolean;
    create_timestamp: string;
  };
  total_message_sent?: number;
}

/** A message as the API returns it. */
export interface ApiMessage {
  id: string;
  type: number;
  channel_id: string;
  guild_id?: string;
  author: ApiUser;
  content: string;
  timestamp: string;
  edited_timestamp: string | null;
  tts: boolean;
  mention_everyone: boolean;
  mentions: unknown[];
  mention_roles: string[];
  attachments: unknown[];
  embeds: unknown[];
  components: unknown[];
  pinned: boolean;
  flags: number;
  webhook_id?: string;
  application_id?: string;
  interaction_metadata?: Record<string, unknown>;
  message_reference?: Record<string, unknown>;
  thread?: ApiChannel;
  position?: number;
}

/** A guild the fake serves: its ID, name and text channels. */
export interface FakeGuild {
  id: string;
  name: string;
  channels: { id: string; name: string }[];
  /** Roles besides @everyone, sent in GUILD_CREATE as Discord does (discord.js resolves member roles from them). */
  roles?: { id: string; name: string }[];
}

/** Every permission bit, as a decimal string, the way `app_permissions` carries it. */
export const ALL_PERMISSIONS = ((1n << 53n) - 1n).toString();

/** The bot's user object. */
export function botUser(id: string, username: string): ApiUser {
  return { id, username, global_name: null, discriminator: '0000', avatar: null, bot: true, flags: 0, public_flags: 0 };
}

/** A human user object. */
export function humanUser(id: string, username: string): ApiUser {
  return { id, username, global_name: username, discriminator: '0', avatar: null, flags: 0, public_flags: 0 };
}

/** A guild text channel (type 0). */
export function textChannel(guildId: string, id: string, name: string, position: number): ApiChannel {
  return {
    id,
    type: 0,
    guild_id: guildId,
    name,
    position,
    parent_id: null,
    permission_overwrites: [],
    topic: null,
    nsfw: false,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

/** A public thread (type 11) started from a message; Discord gives it the message's ID. */
export function publicThread(parent: ApiChannel, id: string, name: string, ownerId: string, autoArchiveMinutes: number): ApiChannel {
  const now = new Date().toISOString();
  return {
    id,
    type: 11,
    guild_id: parent.guild_id,
    name,
    parent_id: parent.id,
    owner_id: ownerId,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: { archived: false, auto_archive_duration: autoArchiveMinutes, archive_timestamp: now, locked: false, create_timestamp: now },
  };
}

/** The GUILD_CREATE payload of a guild, with its channels and the bot as a member. */
export function guildCreatePayload(guild: FakeGuild, channels: ApiChannel[], bot: ApiUser): Record<string, unknown> {
  const joinedAt = new Date().toISOString();
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: '1',
    application_id: null,
    region: 'us-west',
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    preferred_locale: 'en-US',
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    max_members: 500000,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    features: [],
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: 0,
        permissions: ALL_PERMISSIONS,
        managed: false,
        mentionable: false,
        flags: 0,
      },
      ...(guild.roles ?? []).map((role, index) => ({
        id: role.id,
        name: role.name,
        color: 0,
        colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
        hoist: false,
        icon: null,
        unicode_emoji: null,
        position: index + 1,
        permissions: '0',
        managed: false,
        mentionable: false,
        flags: 0,
      })),
    ],
    emojis: [],
    stickers: [],
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [
      {
        user: bot,
        nick: null,
        avatar: null,
        roles: [],
        joined_at: joinedAt,
        premium_since: null,
        deaf: false,
        mute: false,
        flags: 0,
        pending: false,
        communication_disabled_until: null,
      },
    ],
    channels,
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

/** A guild member object for an interaction's `member`. */
export function interactionMember(user: ApiUser, roles: readonly string[] = []): Record<string, unknown> {
  return {
    user,
    nick: null,
    avatar: null,
    banner: null,
    roles: [...roles],
    joined_at: new Date(Date.now() - 86_400_000).toISOString(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    permissions: ALL_PERMISSIONS,
    communication_disabled_until: null,
  };
}
