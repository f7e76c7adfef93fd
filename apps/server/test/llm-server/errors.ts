/** OpenAI's error body: `{"error":{"message","type","param","code"}}`, with the type and code it uses per status. */
const errorBodies: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request', type: 'invalid_request_error', code: null },
  401: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { message: 'You are not allowed to use this model.', type: 'invalid_request_error', code: null },
  404: { message: 'The model does not exist.', type: 'invalid_request_error', code: 'model_not_found' },
  429: { message: 'Rate limit reached for requests.', type: 'requests', code: 'rate_limit_exceeded' },
  500: {
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    code: null,
  },
  503: { message: 'The engine is currently overloaded.', type: 'server_error', code: null },
};

/** Thrown by a handler to answer with an OpenAI-shaped error. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message?: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? (errorBodies[status] ?? errorBodies[500]!).message);
  }

  body(): string {
    const base = errorBodies[this.status] ?? errorBodies[500]!;
    return JSON.stringify({
      error: { message: this.message, type: base.type, param: this.param, code: base.code },
    });
  }
}

export const modelNotFound = (model: string) =>
  new Refusal(404, `The model \`${model}\` does not exist or you do not have access to it.`);
