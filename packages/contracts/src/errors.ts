import { z } from 'zod';

/**
 * Stable error codes. Clients branch on these, never on messages, so a code is never renamed once shipped.
 * The HTTP status is part of the contract too.
 */
export const errorCodes = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  token_expired: 401,
  token_invalid: 401,
  refresh_token_reused: 401,
  api_key_invalid: 401,
  email_not_verified: 403,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  email_taken: 409,
  slug_taken: 409,
  already_member: 409,
  last_owner: 409,
  limit_reached: 409,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  unprocessable_image: 422, // a file that claims to be an image (magic number) but cannot be decoded
  rate_limited: 429,
  demo_limit_reached: 429,
  model_not_configured: 409,
  provider_error: 502,
  provider_timeout: 504,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code'),
      message: z.string(),
      requestId: z.string(),
      details: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('Field-level problems (validation_failed only)'),
    }),
  })
  .describe('Error');

export type ErrorBody = z.infer<typeof errorBodySchema>;
