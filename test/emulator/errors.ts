// API errors as the cloud answers them. An action throws an ApiError; the HTTP layer renders it as
// an RPC body ({RequestId, HostId, Code, Message, Recommend}) or an ROA body ({code, message,
// requestId}) depending on the product.

/** An error answer: the code and HTTP status the real product uses, and its message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    /** More fields of the error body (AccessDeniedDetail). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A required parameter is absent. */
export function missingParam(name: string): ApiError {
  return new ApiError(`MissingParam.${name}`, `The parameter ${name} is mandatory for this action.`);
}

/** A parameter is present but malformed or out of range; `detail` says what was expected. */
export function illegalParam(name: string, detail: string): ApiError {
  return new ApiError(`IllegalParamFormat.${name}`, `The parameter ${name} is invalid: ${detail}`);
}

/** What a passing DryRun answers: an error, by design of the API. */
export function dryRunPassed(): ApiError {
  return new ApiError('DryRunOperation', 'Request validation has been passed with DryRun flag set.');
}

/** Renders an error in the RPC products' shape. */
export function rpcErrorBody(
  error: ApiError,
  requestId: string,
  hostId: string,
  product: string,
): Record<string, unknown> {
  return {
    RequestId: requestId,
    HostId: hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=${product}&requestId=${requestId}`,
    ...error.extra,
  };
}

/** Renders an error in the ROA (ACK) shape. */
export function roaErrorBody(error: ApiError, requestId: string): Record<string, unknown> {
  return { code: error.code, message: error.message, requestId, ...error.extra };
}
