/**
 * Re-authorizes stored subscriptions with the access policy: a subscription posts a channel's
 * cards on the authority of whoever subscribed, so it must keep passing the same check as the
 * `subscribe` command, for that channel, user and account, under the rules in force now.
 */
import type { SubscriptionAuthorizer } from '../jobs/subscriptions/subscription-service';
import { CLOUD_OF_KIND } from '../providers/kinds';
import type { AccessPolicy } from './access-policy';

/**
 * The {@link SubscriptionAuthorizer} of a policy: the `subscribe` decision for the subscription's
 * channel, account and subscriber. Group and role membership is what the chat adapter resolved
 * when they subscribed: a later change of the accounts file's `users` list counts, a later change
 * of who is in a Slack group or holds a Discord role does not.
 */
export function subscriptionAuthorizer(policy: AccessPolicy): SubscriptionAuthorizer {
  return (subject) => {
    const decision = policy.authorize(
      { platform: subject.channel.platform, channelId: subject.channel.channelId, userId: subject.createdBy, groups: subject.createdByGroups },
      'subscribe',
      CLOUD_OF_KIND[subject.kind],
      subject.account,
    );
    return decision.allowed ? { allowed: true } : { allowed: false, reason: decision.reason };
  };
}
