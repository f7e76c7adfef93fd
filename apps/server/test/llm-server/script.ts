/**
 * Per-request scripting for the LLM test server: directives written into the LAST user message steer one
 * response, so a test states its scenario in the prompt it sends through Kawan (which never strips them).
 * Embedding requests read `error` and `retry-after` from their first input.
 *
 *   [[tool:get_weather {"city":"Jakarta"}]]  answer with a tool call (repeat for parallel calls)
 *   [[error:500]]   [[error:429]]            fail with that status (401, 400, 404, 429, 500, 503 …)
 *   [[error:500x2]]                          fail the first 2 requests carrying this exact prompt, then answer
 *   [[retry-after:0]]                        Retry-After seconds sent with a 429 (default: server option)
 *   [[delay:5000]]                           wait before sending anything (status line included)
 *   [[ttft:800]]   [[itl:20]]                time to first token / between tokens, ms (stream and not)
 *   [[stall:3000]]                           after the first token, go silent this long (idle timeouts)
 *   [[tokens:40]]                            answer with exactly this many tokens
 *   [[reply:some text]]   [[echo]]           answer with this text / with the prompt (directives removed)
 *   [[drop:5]]                               destroy the connection after 5 content tokens (no [DONE])
 *   [[mid-error:3]]                          after 3 tokens send an SSE `data: {"error":…}` event and end
 */

export interface Directives {
  tools: { name: string; arguments: string }[];
  error?: { status: number; times: number | null };
  retryAfter?: number;
  delay?: number;
  ttft?: number;
  itl?: number;
  stall?: number;
  tokens?: number;
  reply?: string;
  echo?: boolean;
  drop?: number;
  midError?: number;
  /** the message text with every directive removed */
  text: string;
}

const NAME = /^[a-z][a-z-]*/;

/** Reads `[[name]]` / `[[name:arg]]` directives; a tool's JSON argument may itself contain `]]`. */
export function parseDirectives(message: string): Directives {
  const d: Directives = { tools: [], text: '' };
  let out = '';
  let i = 0;
  while (i < message.length) {
    const open = message.indexOf('[[', i);
    if (open < 0) break;
    const parsed = readDirective(message, open + 2);
    if (!parsed) {
      out += message.slice(i, open + 2);
      i = open + 2;
      continue;
    }
    out += message.slice(i, open);
    apply(d, parsed.name, parsed.arg);
    i = parsed.end;
  }
  d.text = (out + message.slice(i)).replace(/\s{2,}/g, ' ').trim();
  return d;
}

function readDirective(s: string, start: number): { name: string; arg: string; end: number } | null {
  const name = NAME.exec(s.slice(start, start + 40))?.[0];
  if (!name) return null;
  let p = start + name.length;
  if (s.startsWith(']]', p)) return { name, arg: '', end: p + 2 };
  if (s[p] !== ':') return null;
  p++;
  if (name === 'tool') {
    const space = s.indexOf(' ', p);
    const close = s.indexOf(']]', p);
    if (close < 0) return null;
    if (space < 0 || space > close) return { name, arg: s.slice(p, close), end: close + 2 };
    const json = balancedJson(s, space + 1);
    if (json === null || !s.startsWith(']]', json)) return null;
    return { name, arg: s.slice(p, json), end: json + 2 };
  }
  const close = s.indexOf(']]', p);
  return close < 0 ? null : { name, arg: s.slice(p, close), end: close + 2 };
}

/** End index of the JSON object starting at `from` (after whitespace), or null. */
function balancedJson(s: string, from: number): number | null {
  let p = from;
  while (s[p] === ' ') p++;
  if (s[p] !== '{') return null;
  let depth = 0;
  let inString = false;
  for (; p < s.length; p++) {
    const c = s[p];
    if (inString) {
      if (c === '\\') p++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return p + 1;
  }
  return null;
}

function int(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`directive ${what}: "${v}" is not a number`);
  return n;
}

function apply(d: Directives, name: string, arg: string) {
  switch (name) {
    case 'tool': {
      const space = arg.indexOf(' ');
      const toolName = space < 0 ? arg : arg.slice(0, space);
      const args = space < 0 ? '{}' : arg.slice(space + 1).trim();
      d.tools.push({ name: toolName, arguments: JSON.stringify(JSON.parse(args)) });
      return;
    }
    case 'error': {
      const m = /^(\d{3})(?:x(\d+))?$/.exec(arg.trim());
      if (!m) throw new Error(`directive error: "${arg}" (use 500 or 500x2)`);
      d.error = { status: Number(m[1]), times: m[2] ? Number(m[2]) : null };
      return;
    }
    case 'retry-after':
      d.retryAfter = int(arg, name);
      return;
    case 'delay':
    case 'ttft':
    case 'itl':
    case 'stall':
    case 'tokens':
    case 'drop':
      d[name] = int(arg, name);
      return;
    case 'mid-error':
      d.midError = int(arg, name);
      return;
    case 'reply':
      d.reply = arg;
      return;
    case 'echo':
      d.echo = true;
      return;
    default:
      throw new Error(`unknown directive [[${name}]]`);
  }
}

/**
 * Splits text into OpenAI-like tokens: each word carries its leading whitespace (" world"). With `count`,
 * the words are cycled (or cut) to exactly that many tokens.
 */
export function tokenize(text: string, count?: number): string[] {
  const words: string[] = text.match(/\s*\S+/g) ?? [];
  if (count === undefined) return words;
  if (words.length === 0) words.push('lorem');
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const w = words[i % words.length]!;
    out.push(i > 0 && i % words.length === 0 ? ` ${w.trimStart()}` : w);
  }
  return out;
}

/** Deterministic stand-in for a tokenizer: one token per word, plus a fixed overhead per message. */
export function countTokens(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

/** Splits a tool call's JSON arguments into a few pieces, as models stream them. */
export function splitArguments(args: string, pieces = 3): string[] {
  if (args.length <= pieces) return [args];
  const size = Math.ceil(args.length / pieces);
  const out: string[] = [];
  for (let i = 0; i < args.length; i += size) out.push(args.slice(i, i + size));
  return out;
}
