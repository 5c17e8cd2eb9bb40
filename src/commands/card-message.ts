/** Watching from a message that already shows the task: that message becomes the watch's card. */
import type { WatchService } from '../jobs/watch-service';
import type { CommandServices } from './types';

/**
 * Services whose `watch` uses `cardMessageId` as the status card instead of posting one, for a
 * Watch button pressed on (or a command answered with) a message about one task.
 */
export function withCardMessage(services: CommandServices, cardMessageId: string): CommandServices {
  const watches = services.watches;
  if (!watches) return services;
  const wrapped: WatchService = {
    watch: (request) => watches.watch({ ...request, cardMessageId }),
    unwatch: (channel, refs) => watches.unwatch(channel, refs),
    unwatchAll: (channel) => watches.unwatchAll(channel),
    list: (channel) => watches.list(channel),
  };
  return { ...services, watches: wrapped };
}
