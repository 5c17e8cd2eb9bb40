/**
 * The words of a {@link ChannelNotice}, the same on every chat surface. Account names come from
 * the accounts file or the command grammar (letters, digits, `.`, `_`, `-`), never from a cloud.
 */
import type { ChannelNotice } from '../../jobs/notifier';
import { TASK_KINDS, type TaskKind } from '../../providers/types';
import { ACCOUNT_NAME_PATTERN } from '../../validation/shared-patterns';
import { taskKindLabel } from './task-kind-label';

const WHY: Readonly<Record<string, string>> = {
  channel_not_allowed: 'this channel may no longer use that account',
  user_not_allowed: 'whoever subscribed it may no longer subscribe with that account',
  unknown_account: 'that account is no longer configured',
};

/** The text of a channel notice, e.g. the one sentence saying why a subscription was suspended. */
export function channelNoticeText(notice: ChannelNotice): string {
  const kind = (TASK_KINDS as readonly string[]).includes(notice.kind) ? `${taskKindLabel(notice.kind as TaskKind)} tasks` : 'tasks';
  const account = ACCOUNT_NAME_PATTERN.test(notice.account) ? `"${notice.account}"` : 'of this subscription';
  const why = WHY[notice.reason] ?? 'it no longer passes the access rules';
  return (
    `The subscription to new ${kind} of the account ${account} is suspended: ${why}. ` +
    'Nothing more will be announced here for it. Ask a taskwatch admin about access, then subscribe again; /task-status unsubscribe removes it.'
  );
}
