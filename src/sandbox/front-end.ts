/**
 * What the two cloud front ends share: the request as read off the socket, the answer to
 * write back, and the sandbox services they call into.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { CloudName } from '../providers/types';
import type { Clock } from '../util/clock';
import type { FaultInjector } from './fault-injector';
import type { TaskStore } from './task-store';
import type { SandboxCall } from './types';

/** A request with its body fully read. */
export interface WireRequest {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?`. */
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** What to write back: a reply, or nothing at all (an injected hang). */
export type WireAnswer =
  | { readonly kind: 'reply'; readonly status: number; readonly contentType: string; readonly body: string }
  | { readonly kind: 'hang' };

/** The parts of the sandbox a front end uses. */
export interface FrontEndServices {
  readonly tasks: TaskStore;
  readonly clock: Clock;
  readonly faults: FaultInjector;
  /** The secret of an accepted credential of `cloud`, or null. */
  findSecret(cloud: CloudName, id: string): string | null;
  record(call: SandboxCall): void;
}

/** A JSON reply. */
export function jsonAnswer(status: number, body: unknown): WireAnswer {
  return { kind: 'reply', status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** The HTML error page a gateway in front of either cloud might answer with. */
export function htmlErrorPage(): WireAnswer {
  return {
    kind: 'reply',
    status: 502,
    contentType: 'text/html',
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  };
}

/** The `errorCode` recorded for an injected fault that answers without a vendor error code. */
export function faultCode(type: string): string {
  return `fault:${type}`;
}
