import { sseParser } from './sse.ts';

/** The calls the widget makes, all cross-origin to the Kawan that served widget.js, never with cookies. */
export interface Profile {
  name: string;
  language: string;
  greeting: string;
  theme: { color: string; position: string };
}

export interface Citation {
  n: number;
  documentTitle: string;
  page: number | null;
  quote: string;
}

export interface ChatResult {
  conversationId?: string;
  remaining?: number;
  failed: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call(url: string, init: RequestInit): Promise<Response> {
  const res = await fetch(url, { ...init, credentials: 'omit', mode: 'cors' });
  if (res.ok) return res;
  let code = 'http_' + res.status;
  let message = res.statusText;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    /* not JSON */
  }
  throw new ApiError(res.status, code, message);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function getProfile(api: string, botId: string, key: string): Promise<Profile> {
  const res = await call(`${api}/api/v1/public/chatbots/${encodeURIComponent(botId)}`, {
    headers: bearer(key),
  });
  return (await res.json()) as Profile;
}

export async function openSession(
  api: string,
  botId: string,
  key: string | undefined,
): Promise<{ token: string; remaining: number }> {
  const res = await call(`${api}/api/v1/guest/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? bearer(key) : {}) },
    body: JSON.stringify({ chatbotId: botId }),
  });
  const body = (await res.json()) as { token: string; demo: { remaining: number } };
  return { token: body.token, remaining: body.demo.remaining };
}

/** Asks and streams the answer: deltas and citations as they come, then the conversation and the quota. */
export async function streamChat(
  api: string,
  botId: string,
  token: string,
  body: { content: string; conversationId?: string },
  on: { remaining(n: number): void; delta(text: string): void; citation(c: Citation): void },
): Promise<ChatResult> {
  const res = await call(`${api}/api/v1/public/chatbots/${encodeURIComponent(botId)}/chat`, {
    method: 'POST',
    headers: { ...bearer(token), 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify(body),
  });
  const header = res.headers.get('x-demo-remaining');
  if (header !== null && header !== '') on.remaining(Number(header));
  const result: ChatResult = { failed: false };
  const parse = sseParser((event, data) => {
    let d: {
      text?: string;
      conversation?: { id: string };
      demo?: { remaining: number };
      message?: { status?: string };
    };
    try {
      d = JSON.parse(data);
    } catch {
      return;
    }
    if (event === 'delta' && d.text) on.delta(d.text);
    else if (event === 'citation') on.citation(d as unknown as Citation);
    else if (event === 'error') result.failed = true;
    else if (event === 'done') {
      result.conversationId = d.conversation?.id;
      if (d.demo) result.remaining = d.demo.remaining;
      if (d.message?.status === 'error') result.failed = true;
    }
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parse(decoder.decode(value, { stream: true }));
  }
  parse(decoder.decode() + '\n\n');
  return result;
}
