/**
 * The contract every chat platform implements, from its own folder (`src/chat/<platform>/`),
 * and lists in `src/chat/platforms.ts`. The composition root loops over the listed platforms:
 * it asks each whether it is configured, masks its secrets, tells the terminal banner how to
 * configure the others, builds the configured ones, mounts their HTTP routes, adds their
 * readiness checks to `/readyz`, and starts and stops them.
 *
 * A notify-only platform (a webhook robot that can post but neither edit nor receive commands)
 * fits the same contract: capabilities off, no routes, no readiness check, nothing to start.
 */
import type { Application } from 'express';
import type { Readable, Writable } from 'node:stream';
import type { CommandServices } from '../commands/types';
import type { EnvironmentSection, TaskwatchConfig } from '../config';
import type { DeliveryCapabilities, Notifier } from '../jobs/notifier';
import type { Logger } from '../observability/logger';
import type { ChatPlatform } from '../util/channel-address';

/** What a platform can do; the watch engine reads the delivery part through its notifier. */
export interface ChatCapabilities extends DeliveryCapabilities {
  /**
   * How long after posting a card can still be edited, in ms; null: as long as it exists.
   * Meaningful with `edits`; the delivery judges it on the engine's clock (see `DeliveryCapabilities`).
   */
  readonly editWindowMs: number | null;
  /**
   * Whether it receives commands and buttons; a notify-only robot does not. False: the
   * composition root builds it with `takesCommands` false in every role, and mounts no routes
   * and no readiness check of it.
   */
  readonly receivesCommands: boolean;
}

/** The terminal this process runs in, for a platform that talks through it. */
export interface ChatConsole {
  readonly input: Readable;
  readonly output: Writable;
  /** Shown once when the platform starts. */
  readonly banner: string;
  /** Called when the user closes the conversation. */
  readonly onClose: () => void;
}

/** What the composition root hands a platform to build it. */
export interface ChatPlatformContext {
  readonly services: CommandServices;
  readonly logger: Logger;
  /** False in a worker process, and for a platform that does not receive commands: build the notifier only, receive nothing. */
  readonly takesCommands: boolean;
  readonly console: ChatConsole;
}

/** A built platform. */
export interface ChatPlatformInstance {
  /** Posts cards and replies for the watch engine and the subscriptions, in every role. */
  readonly notifier: Notifier;
  /** Mounts its HTTP routes (e.g. Slack's `POST /slack/events`) on the shared app, before it listens. */
  routes?(app: Application): void;
  /** Whether it is connected and taking commands, for `/readyz` (named after the platform). */
  ready?(): boolean;
  /** Connects or starts accepting commands; called once the watch engine and HTTP server run. */
  start?(): Promise<void>;
  /** Stops taking commands and disconnects; called first on shutdown. */
  stop?(): Promise<void>;
}

/** A chat platform: what it is, whether it is configured, and how to build it. */
export interface ChatPlatformDefinition<Section = unknown, Name extends ChatPlatform = ChatPlatform> {
  /** Its name in channel addresses (`<name>:<channel>`) and in `/readyz`. */
  readonly name: Name;
  readonly capabilities: ChatCapabilities;
  /**
   * Runs in this process's own terminal: opened with `--shell`, or when no other platform is
   * configured and standard input is a terminal, never in a worker; `configSection` is then
   * not asked.
   */
  readonly local?: boolean;
  /**
   * Its variables, the rules between them and the section they build, declared in its own
   * folder; `src/config.ts` reads them with everything else. None for a platform that needs no
   * configuration.
   */
  readonly environment?: EnvironmentSection<Section>;
  /** Its section of the configuration (what `environment` built); null when not configured. */
  configSection(config: TaskwatchConfig): Section | null;
  /** The secret values of its section, masked in every log and audit line. */
  secrets(section: Section): ReadonlyArray<string | null | undefined>;
  /** One line telling an operator how to configure it, shown in the terminal banner while it is not; null for none. */
  readonly setupHint: string | null;
  /** Builds it; loads its chat library here (lazily), so a process without it never does. */
  create(section: Section, context: ChatPlatformContext): Promise<ChatPlatformInstance>;
}

/**
 * Checks a platform definition against the contract while keeping its section's type (inferred
 * from `configSection`) for `secrets` and `create`, and its name for `platforms.ts`'s check.
 */
export function defineChatPlatform<Section, const Name extends ChatPlatform>(
  definition: ChatPlatformDeclaration<Section, Name>,
): ChatPlatformDefinition<Section, Name> {
  if (definition.configSection !== undefined) return { ...definition, configSection: definition.configSection };
  const { name } = definition;
  return { ...definition, configSection: (config) => (config.chat[name] ?? null) as Section | null };
}

/**
 * A platform as its folder declares it: with an `environment`, its section is what that built
 * (`configSection` comes with it); without one, it says itself what its section is.
 */
export type ChatPlatformDeclaration<Section, Name extends ChatPlatform> = Omit<ChatPlatformDefinition<Section, Name>, 'environment' | 'configSection'> &
  (
    | { readonly environment: EnvironmentSection<Section>; readonly configSection?: undefined }
    | { readonly environment?: undefined; configSection(config: TaskwatchConfig): Section | null }
  );
