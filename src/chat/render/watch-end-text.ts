/**
 * The sentence that tells a channel why a watch ended, shared by every chat surface so that
 * the reasons read the same in Slack, Discord and the terminal.
 */
import type { WatchEndReason } from '../../jobs/notifier';

const WATCH_END_TEXTS: Readonly<Record<WatchEndReason, string>> = {
  terminal: 'The task has finished; the watch is over.',
  deadline: 'Stopped watching: the watch reached its deadline.',
  aged_out: 'Stopped watching: Alibaba Cloud only reports DCDN tasks for 3 days.',
  not_found: 'Stopped watching: the provider does not know this task.',
  auth_failed: 'Stopped watching: the cloud credentials were refused.',
  unwatched: 'Stopped watching on request.',
  error: 'Stopped watching after an error that retrying would not fix.',
};

/** Why a watch ended, as a sentence for people. */
export function describeWatchEnd(reason: WatchEndReason): string {
  return WATCH_END_TEXTS[reason];
}
