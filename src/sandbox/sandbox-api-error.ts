/**
 * The error a sandboxed API answers with. Handlers throw it; the cloud front ends render it
 * in their own wire format (Tencent: HTTP 200 with `Response.Error`; Alibaba: the HTTP status
 * with a JSON body).
 */

/** An API-level error with the vendor's own code. */
export class SandboxApiError extends Error {
  override readonly name = 'SandboxApiError';

  /**
   * @param code - the vendor's error code, e.g. `AuthFailure.SignatureFailure`.
   * @param message - the vendor-style message; never contains a key or a signature.
   * @param httpStatus - the HTTP status Alibaba answers with; Tencent always answers 200.
   */
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus: number = 400,
  ) {
    super(message);
  }
}
