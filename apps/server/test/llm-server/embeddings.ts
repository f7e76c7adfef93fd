import { Refusal } from './errors.ts';
import { countTokens } from './script.ts';

/**
 * Deterministic embeddings for the test server: a signed hashed bag of words, L2-normalised. Texts that share
 * words get a positive cosine and identical texts identical vectors, so retrieval code can be tested for real
 * ranking behaviour without a model.
 */

function fnv1a(word: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < word.length; i++) {
    h ^= word.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function hashedEmbedding(text: string, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = fnv1a(word, 0);
    v[h % dims]! += (fnv1a(word, 0x9e3779b9) & 1) === 0 ? 1 : -1;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) {
    v[0] = 1; // the empty text still gets a unit vector, as real models return one
    return v;
  }
  const inv = 1 / Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i]! *= inv;
  return v;
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64. */
export function toBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

export interface EmbeddingsBody {
  model?: unknown;
  input?: unknown;
  dimensions?: number;
  encoding_format?: string;
}

/** The inputs of an embeddings request, or a Refusal saying what OpenAI would say about them. */
export function embeddingInputs(body: EmbeddingsBody | undefined, maxBatch: number): string[] {
  if (!body || typeof body.model !== 'string') {
    throw new Refusal(400, 'you must provide a model parameter', 'model');
  }
  const raw = body.input;
  const inputs = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw : null;
  if (!inputs || inputs.length === 0 || inputs.some((x) => typeof x !== 'string')) {
    throw new Refusal(400, "'input' must be a string or a non-empty array of strings", 'input');
  }
  if (inputs.length > maxBatch) {
    throw new Refusal(400, `'input' may contain at most ${maxBatch} items`, 'input');
  }
  return inputs as string[];
}

/** The `/v1/embeddings` response for validated inputs. */
export function embeddingsResponse(model: string, inputs: string[], dims: number, base64: boolean) {
  if (!Number.isInteger(dims) || dims < 1 || dims > 8192) {
    throw new Refusal(400, "'dimensions' must be an integer between 1 and 8192", 'dimensions');
  }
  let tokens = 0;
  const data = inputs.map((text, index) => {
    tokens += countTokens(text);
    const v = hashedEmbedding(text, dims);
    return { object: 'embedding', index, embedding: base64 ? toBase64(v) : Array.from(v) };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
