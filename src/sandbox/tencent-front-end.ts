/**
 * Tencent Cloud API 3.0 on the wire: `POST /` with a JSON body and `X-TC-*` headers, signed
 * TC3-HMAC-SHA256. Every API error is HTTP 200 with `Response.Error`, as the real service does.
 */
import { randomUUID } from 'node:crypto';
import { findRoute, type ApiRoute } from './api-route';
import { faultCode, htmlErrorPage, jsonAnswer, type FrontEndServices, type WireAnswer, type WireRequest } from './front-end';
import type { SlidingWindowLimiter } from './sliding-window-limiter';
import { SandboxApiError } from './sandbox-api-error';
import { parseTc3Authorization, verifyTc3Request } from './tencent-signature';
import { TENCENT_ROUTES } from './tencent-apis';
import type { SandboxFault } from './types';

/** True when a request speaks Tencent Cloud API 3.0 rather than Alibaba RPC. */
export function isTencentRequest(request: WireRequest): boolean {
  const authorization = request.headers.authorization;
  return request.headers['x-tc-action'] !== undefined || (authorization !== undefined && authorization.startsWith('TC3-'));
}

function header(request: WireRequest, name: string): string | null {
  const value = request.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function parseParams(request: WireRequest): Record<string, unknown> {
  if (request.method === 'GET') return Object.fromEntries(new URLSearchParams(request.rawQuery));
  const text = request.body.toString('utf8');
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SandboxApiError('InvalidParameter', 'The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SandboxApiError('InvalidParameter', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Answers Tencent Cloud requests. */
export class TencentFrontEnd {
  constructor(
    private readonly services: FrontEndServices,
    /** Tencent's documented quota: per action, region and SecretId; null when limits are off. */
    private readonly limiter: SlidingWindowLimiter | null,
  ) {}

  /** Verifies, routes and answers one request, recording it as a call. */
  handle(request: WireRequest): WireAnswer {
    const requestId = randomUUID();
    const action = header(request, 'x-tc-action') ?? '';
    const version = header(request, 'x-tc-version') ?? '';
    const region = header(request, 'x-tc-region');
    const authorization = parseTc3Authorization(header(request, 'authorization') ?? undefined);
    let credentialId: string | null = authorization?.secretId ?? null;
    let params: Record<string, unknown> = {};

    const finish = (answer: WireAnswer, errorCode: string | null): WireAnswer => {
      this.services.record({ cloud: 'tencent', action, version, region, credentialId, params, errorCode, receivedAt: Date.now() });
      return answer;
    };

    try {
      if (request.method !== 'POST' && request.method !== 'GET') {
        throw new SandboxApiError('UnsupportedProtocol', `HTTP method ${request.method} is not supported; use POST.`);
      }
      // The SDK signs with real time, so signatures are checked against real time too.
      credentialId = verifyTc3Request(request, authorization, (id) => this.services.findSecret('tencent', id), Date.now());
      params = parseParams(request);
      if (action === '') throw new SandboxApiError('MissingParameter', 'The request is missing a required parameter `Action`.');
      if (version === '') throw new SandboxApiError('MissingParameter', 'The request is missing a required parameter `Version`.');

      const fault = this.services.faults.take('tencent', action);
      if (fault) return finish(this.faultAnswer(fault, requestId), fault.type === 'throttle' ? 'RequestLimitExceeded' : faultCode(fault.type));

      const route = this.route(action, version);
      if (this.limiter && !this.limiter.tryAdmit(`${action}\u0000${region ?? ''}\u0000${credentialId}`)) {
        throw new SandboxApiError(
          'RequestLimitExceeded',
          `Requests to ${action} exceed the frequency limit of ${this.limiter.limit} per second for this region and SecretId. Please reduce the frequency of calls.`,
        );
      }
      const result = route.handle({ credentialId, region, params, now: this.services.clock.now(), tasks: this.services.tasks });
      return finish(jsonAnswer(200, { Response: { ...result, RequestId: requestId } }), null);
    } catch (error) {
      const apiError =
        error instanceof SandboxApiError ? error : new SandboxApiError('InternalError', 'An internal error occurred in the sandbox.');
      return finish(jsonAnswer(200, { Response: { Error: { Code: apiError.code, Message: apiError.message }, RequestId: requestId } }), apiError.code);
    }
  }

  private route(action: string, version: string): ApiRoute {
    const route = findRoute(TENCENT_ROUTES, action, version);
    if (route === 'unknown_action') throw new SandboxApiError('InvalidAction', `The requested action \`${action}\` does not exist.`);
    if (route === 'unknown_version') throw new SandboxApiError('NoSuchVersion', `The requested version \`${version}\` of action \`${action}\` does not exist.`);
    return route;
  }

  private faultAnswer(fault: SandboxFault, requestId: string): WireAnswer {
    switch (fault.type) {
      case 'hang':
        return { kind: 'hang' };
      case 'html':
        return htmlErrorPage();
      case 'throttle':
        return jsonAnswer(200, {
          Response: { Error: { Code: 'RequestLimitExceeded', Message: 'Your current request times exceeds the frequency limit. Please reduce the frequency of calls.' }, RequestId: requestId },
        });
      case 'http500':
      case 'http503':
        return jsonAnswer(fault.type === 'http500' ? 500 : 503, {
          Response: { Error: { Code: 'InternalError', Message: 'An internal error occurred.' }, RequestId: requestId },
        });
    }
  }
}
