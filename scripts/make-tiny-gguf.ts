// Writes a tiny random-weight GGUF model (llama architecture, ~0.5 MB) so tests can run the real local-model
// path (node-llama-cpp → llama.cpp) without any model weights: no registry here ships them.
//
//   node --import tsx scripts/make-tiny-gguf.ts <out.gguf> [--seed 42] [--no-template]
//
// The model is noise: it produces random tokens. It is useful with grammar-constrained output (JSON schema with
// enum/boolean fields), where llama.cpp's sampler forces a valid answer whatever the weights say.
//
// Format: GGUF v3 (little-endian): header, metadata key/values, tensor infos, then tensor data aligned to 32 bytes.
// Vocabulary: SentencePiece-style ("llama" tokenizer) — control tokens, the 256 byte-fallback tokens `<0xNN>`, and
// one token per printable ASCII character (`▁` is the space), so any text can be tokenized and generated.
// The same seed always gives the same bytes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface TinyGgufOptions {
  seed?: number;
  /** embed a ChatML Jinja chat template (default true); false exercises the caller's fallback template */
  chatTemplate?: boolean;
  layers?: number;
  embedding?: number;
  contextLength?: number;
}

const CHATML = `{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}`;

// GGUF value types and token types (llama.cpp's gguf.h / llama_token_type)
const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;
const TOKEN = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

/** The vocabulary: [text, score, type] per token id. */
function tinyVocab(): [string, number, number][] {
  const v: [string, number, number][] = [
    ['<unk>', 0, TOKEN.unknown],
    ['<s>', 0, TOKEN.control],
    ['</s>', 0, TOKEN.control],
    ['<|im_start|>', 0, TOKEN.control],
    ['<|im_end|>', 0, TOKEN.control],
  ];
  for (let b = 0; b < 256; b++)
    v.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0, TOKEN.byte]);
  v.push(['▁', -1, TOKEN.normal]);
  for (let c = 0x21; c <= 0x7e; c++) v.push([String.fromCharCode(c), -1 - (c - 0x20) / 100, TOKEN.normal]);
  return v;
}

/** Deterministic uniform floats in [-scale, scale] (mulberry32). */
function rng(seed: number) {
  let a = seed >>> 0;
  return (scale: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1) * scale;
  };
}

class Writer {
  private parts: Buffer[] = [];
  size = 0;
  push(b: Buffer) {
    this.parts.push(b);
    this.size += b.length;
  }
  u32(n: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    this.push(b);
  }
  u64(n: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    this.push(b);
  }
  str(s: string) {
    const b = Buffer.from(s, 'utf8');
    this.u64(b.length);
    this.push(b);
  }
  pad(align: number) {
    const extra = (align - (this.size % align)) % align;
    if (extra) this.push(Buffer.alloc(extra));
  }
  value(type: number, v: unknown) {
    if (type === T.u32) this.u32(v as number);
    else if (type === T.i32) this.push(int32(v as number));
    else if (type === T.f32) this.push(Buffer.from(new Float32Array([v as number]).buffer));
    else if (type === T.bool) this.push(Buffer.from([v ? 1 : 0]));
    else if (type === T.string) this.str(v as string);
  }
  kv(key: string, type: number, v: unknown, itemType?: number) {
    this.str(key);
    this.u32(type);
    if (type !== T.array) return this.value(type, v);
    const items = v as unknown[];
    this.u32(itemType!);
    this.u64(items.length);
    for (const item of items) this.value(itemType!, item);
  }
  concat() {
    return Buffer.concat(this.parts);
  }
}

function int32(n: number) {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

/** Builds the GGUF bytes. */
export function buildTinyGguf(opts: TinyGgufOptions = {}): Buffer {
  const { seed = 42, chatTemplate = true, layers = 2, embedding = 64, contextLength = 2048 } = opts;
  const heads = 4;
  const ff = embedding * 2;
  const vocab = tinyVocab();
  const rand = rng(seed);

  // ggml dims: ne[0] is the row length; `[in, out]` for a matrix that maps `in` features to `out`
  const tensors: { name: string; dims: number[]; init: 'ones' | 'random' }[] = [
    { name: 'token_embd.weight', dims: [embedding, vocab.length], init: 'random' },
    { name: 'output_norm.weight', dims: [embedding], init: 'ones' },
    { name: 'output.weight', dims: [embedding, vocab.length], init: 'random' },
  ];
  for (let i = 0; i < layers; i++) {
    const b = `blk.${i}.`;
    tensors.push(
      { name: `${b}attn_norm.weight`, dims: [embedding], init: 'ones' },
      { name: `${b}attn_q.weight`, dims: [embedding, embedding], init: 'random' },
      { name: `${b}attn_k.weight`, dims: [embedding, embedding], init: 'random' },
      { name: `${b}attn_v.weight`, dims: [embedding, embedding], init: 'random' },
      { name: `${b}attn_output.weight`, dims: [embedding, embedding], init: 'random' },
      { name: `${b}ffn_norm.weight`, dims: [embedding], init: 'ones' },
      { name: `${b}ffn_gate.weight`, dims: [embedding, ff], init: 'random' },
      { name: `${b}ffn_up.weight`, dims: [embedding, ff], init: 'random' },
      { name: `${b}ffn_down.weight`, dims: [ff, embedding], init: 'random' },
    );
  }

  const meta: [string, number, unknown, number?][] = [
    ['general.architecture', T.string, 'llama'],
    ['general.name', T.string, `kawan-tiny-random-${seed}`],
    ['general.alignment', T.u32, 32],
    ['llama.context_length', T.u32, contextLength],
    ['llama.embedding_length', T.u32, embedding],
    ['llama.block_count', T.u32, layers],
    ['llama.feed_forward_length', T.u32, ff],
    ['llama.attention.head_count', T.u32, heads],
    ['llama.attention.head_count_kv', T.u32, heads],
    ['llama.attention.layer_norm_rms_epsilon', T.f32, 1e-5],
    ['llama.rope.dimension_count', T.u32, embedding / heads],
    ['llama.vocab_size', T.u32, vocab.length],
    ['tokenizer.ggml.model', T.string, 'llama'],
    ['tokenizer.ggml.tokens', T.array, vocab.map((t) => t[0]), T.string],
    ['tokenizer.ggml.scores', T.array, vocab.map((t) => t[1]), T.f32],
    ['tokenizer.ggml.token_type', T.array, vocab.map((t) => t[2]), T.i32],
    ['tokenizer.ggml.unknown_token_id', T.u32, 0],
    ['tokenizer.ggml.bos_token_id', T.u32, 1],
    // ChatML's end-of-turn token ends generation, like in real ChatML models
    ['tokenizer.ggml.eos_token_id', T.u32, 4],
    ['tokenizer.ggml.add_bos_token', T.bool, true],
    ['tokenizer.ggml.add_eos_token', T.bool, false],
  ];
  if (chatTemplate) meta.push(['tokenizer.chat_template', T.string, CHATML]);

  const w = new Writer();
  w.push(Buffer.from('GGUF', 'latin1'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(meta.length);
  for (const [key, type, v, itemType] of meta) w.kv(key, type, v, itemType);

  let offset = 0;
  const datas: Buffer[] = [];
  for (const t of tensors) {
    const n = t.dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    // small weights keep activations finite through the layers; the scale of a real init (≈ 1/√fan_in)
    for (let i = 0; i < n; i++) values[i] = t.init === 'ones' ? 1 : rand(1 / Math.sqrt(t.dims[0]!));
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(0); // GGML_TYPE_F32
    w.u64(offset);
    const data = Buffer.from(values.buffer);
    const padded = Buffer.alloc(Math.ceil(data.length / 32) * 32);
    data.copy(padded);
    datas.push(padded);
    offset += padded.length;
  }
  w.pad(32);
  for (const d of datas) w.push(d);
  return w.concat();
}

/** Writes the model to `file` (creating its directory) and returns the path. */
export function makeTinyGguf(file: string, opts: TinyGgufOptions = {}): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, buildTinyGguf(opts));
  return file;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const out = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--seed');
  const seedAt = args.indexOf('--seed');
  if (!out) {
    process.stderr.write('usage: make-tiny-gguf.ts <out.gguf> [--seed N] [--no-template]\n');
    process.exit(2);
  }
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 42;
  makeTinyGguf(out, { seed, chatTemplate: !args.includes('--no-template') });
  process.stdout.write(`${out}: ${fs.statSync(out).size} bytes (seed ${seed})\n`);
}
