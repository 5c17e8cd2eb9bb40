/**
 * Alibaba Cloud RPC on the wire, as `@alicloud/pop-core` speaks it: `GET /?Action=...` (or a
 * form-encoded POST) signed with HMAC-SHA1 signature version 1.0. Errors use the real HTTP
 * status with a JSON body `{RequestId, HostId, Code, Message, Recommend}`.
 */
import { randomUUID } from 'node:crypto';
import { ALIBABA_ROUTES } from './alibaba-apis';
import { NonceRegistry, verifyRpcRequest } from './alibaba-signature';
import { findRoute, type ApiRoute } from './api-route';
import { faultCode, htmlErrorPage, jsonAnswer, type FrontEndServices, type WireAnswer, type WireRequest } from './front-end';
import type { SlidingWindowLimiter } from './sliding-window-limiter';
import { SandboxApiError } from './sandbox-api-error';
import type { SandboxFault } from './types';

/** Parameters every RPC call carries; the rest are the action's own. */
const COMMON_PARAMETERS = new Set([
  'Action',
  'Version',
  'Format',
  'Timestamp',
  'AccessKeyId',
  'Signature',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'SecurityToken',
  'RegionId',
]);

/** The RPC parameters of a request: the query for GET, the form body for POST. */
export function rpcParameters(request: WireRequest): Map<string, string> {
  const source =
    request.method === 'POST' && String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
      ? request.body.toString('utf8')
      : request.rawQuery;
  const parameters = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(source)) {
    if (!parameters.has(name)) parameters.set(name, value);
  }
  return parameters;
}

/** True when a request carries RPC parameters. */
export function isAlibabaRequest(parameters: ReadonlyMap<string, string>): boolean {
  return parameters.has('Action');
}

/** Answers Alibaba Cloud RPC requests. */
export class AlibabaFrontEnd {
  private readonly nonces = new NonceRegistry();

  constructor(
    private readonly services: FrontEndServices,
    /** DCDN's documented quota: per AccessKeyId; null when limits are off. */
    private readonly limiter: SlidingWindowLimiter | null,
  ) {}

  /** Verifies, routes and answers one request, recording it as a call. */
  handle(request: WireRequest, parameters: ReadonlyMap<string, string>): WireAnswer {
    const requestId = randomUUID().toUpperCase();
    const hostId = String(request.headers.host ?? 'dcdn.aliyuncs.com').replace(/:\d+$/, '');
    const action = parameters.get('Action') ?? '';
    const version = parameters.get('Version') ?? '';
    const region = parameters.get('RegionId') ?? null;
    let credentialId: string | null = parameters.get('AccessKeyId') ?? null;
    const params: Record<string, string> = {};
    for (const [name, value] of parameters) if (!COMMON_PARAMETERS.has(name)) params[name] = value;

    const finish = (answer: WireAnswer, errorCode: string | null): WireAnswer => {
      this.services.record({ cloud: 'alibaba', action, version, region, credentialId, params, errorCode, receivedAt: Date.now() });
      return answer;
    };
    const errorBody = (code: string, message: string): Record<string, string> => ({
      RequestId: requestId,
      HostId: hostId,
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}&product=dcdn&requestId=${requestId}`,
    });

    try {
      // pop-core signs with real time, so signatures are checked against real time too.
      credentialId = verifyRpcRequest(request.method, parameters, (id) => this.services.findSecret('alibaba', id), this.nonces, Date.now());

      const fault = this.services.faults.take('alibaba', action);
      if (fault) {
        const answer = this.faultAnswer(fault, requestId, hostId, errorBody);
        return finish(answer, fault.type === 'throttle' ? 'TooManyRequests' : faultCode(fault.type));
      }

      const route = this.route(action, version);
      if (this.limiter && !this.limiter.tryAdmit(credentialId)) {
        throw new SandboxApiError('TooManyRequests', 'The server is busy. Please try again later.', 429);
      }
      const result = route.handle({ credentialId, region, params, now: this.services.clock.now(), tasks: this.services.tasks });
      return finish(jsonAnswer(200, { RequestId: requestId, ...result }), null);
    } catch (error) {
      const apiError =
        error instanceof SandboxApiError
          ? error
          : new SandboxApiError('InternalError', 'The request processing has failed due to some unknown error, exception or failure.', 500);
      return finish(jsonAnswer(apiError.httpStatus, errorBody(apiError.code, apiError.message)), apiError.code);
    }
  }

  private route(action: string, version: string): ApiRoute {
    const route = findRoute(ALIBABA_ROUTES, action, version);
    if (route === 'unknown_action') {
      throw new SandboxApiError('InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', 404);
    }
    if (route === 'unknown_version') throw new SandboxApiError('InvalidVersion', 'Specified parameter Version is not valid.', 400);
    return route;
  }

  private faultAnswer(
    fault: SandboxFault,
    requestId: string,
    hostId: string,
    errorBody: (code: string, message: string) => Record<string, string>,
  ): WireAnswer {
    switch (fault.type) {
      case 'hang':
        return { kind: 'hang' };
      case 'html':
        return htmlErrorPage();
      case 'throttle':
        return jsonAnswer(429, errorBody('TooManyRequests', 'The server is busy. Please try again later.'));
      case 'http500':
        return jsonAnswer(500, errorBody('InternalError', 'The request processing has failed due to some unknown error, exception or failure.'));
      case 'http503':
        // No Code: pop-core only throws when the body has one, so this resolves as if it succeeded.
        return jsonAnswer(503, { RequestId: requestId, HostId: hostId, Message: 'The service is temporarily unavailable. Please try again later.' });
    }
  }
}
