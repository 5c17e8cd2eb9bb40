/**
 * Bolt refuses Slack requests older than five minutes but accepts any timestamp from the
 * future, so a captured request signed with a far-future timestamp could be replayed for as
 * long as that timestamp lies ahead. This guard runs before Bolt's own verification and
 * refuses a timestamp more than five minutes off in either direction.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '../../util/clock';

/** Slack's documented replay window. */
export const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

/** Whether a `X-Slack-Request-Timestamp` value is within the replay window of `nowMs`. */
export function isFreshSlackTimestamp(header: string | undefined, nowMs: number): boolean {
  if (header === undefined || !/^\d{1,12}$/.test(header.trim())) return false;
  const skew = Math.abs(Math.floor(nowMs / 1000) - Number(header.trim()));
  return skew <= MAX_REQUEST_SKEW_SECONDS;
}

/** Express middleware answering 401 to requests outside the replay window; nothing else runs. */
export function requestTimestampGuard(clock: Clock): (request: Request, response: Response, next: NextFunction) => void {
  return (request, response, next) => {
    const header = request.headers['x-slack-request-timestamp'];
    if (!isFreshSlackTimestamp(Array.isArray(header) ? header[0] : header, clock.now())) {
      response.status(401).send();
      return;
    }
    next();
  };
}
