import fs from 'node:fs';
import path from 'node:path';
import type {
  ChatWrapper,
  GbnfJsonSchema,
  Llama,
  LlamaChat,
  LlamaChatResponse,
  LlamaContext,
  LlamaContextSequence,
  LlamaModel,
} from 'node-llama-cpp';
import type { Config } from '../../config.ts';
import { toChatHistory, toFinishReason } from './local-gguf.messages.ts';
import {
  ProviderError,
  collectStream,
  type ChatChunk,
  type ChatProvider,
  type ChatRequest,
  type ChatResult,
  type ModelInfo,
} from './types.ts';

/**
 * A GGUF model run in this process by node-llama-cpp (llama.cpp), on the CPU only.
 *
 * - Nothing is downloaded or compiled, ever: the prebuilt CPU binary from `@node-llama-cpp/<platform>` is used
 *   (`build: 'never'`, `skipDownload`), and a platform without one gets a clear error instead of a build.
 * - `threads` defaults to 1: on small machines llama.cpp with more threads than free cores is ~1000× slower.
 * - node-llama-cpp and each model load lazily on the first request, once (concurrent first requests share the
 *   load), and stay loaded. Each model has one context; every request takes its own sequence in it and gives it
 *   back afterwards. Sequences are few (`parallel`, default 1) because requests on the same cores only slow
 *   each other down, so further requests wait their turn, first come first served.
 */
export interface LocalGgufOptions {
  /** GGUF files offered; a request's `model` is a file name (or path) from this list */
  modelPaths: string[];
  threads?: number;
  /** context window per model, tokens; capped at the model's training context */
  contextSize?: number;
  /** requests generated at the same time per model */
  parallel?: number;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export type LocalGgufProvider = ChatProvider & { close(): Promise<void> };

interface LoadedModel {
  model: LlamaModel;
  context: LlamaContext;
  wrapper: ChatWrapper;
  slots: Slots;
}

const DEFAULT_MAX_TOKENS = 1024;
// node-llama-cpp's default is greedy decoding, which makes small models loop; OpenAI's default is 1
const DEFAULT_TEMPERATURE = 0.7;

/** `MODELS_DIR`, or `DATA_DIR/models`. */
export function modelsDir(config: Pick<Config, 'MODELS_DIR' | 'DATA_DIR'>): string {
  return path.resolve(config.MODELS_DIR ?? path.join(config.DATA_DIR, 'models'));
}

/** The configured local model, or null when LOCAL_MODEL_PATH is unset. A bare file name is looked up in MODELS_DIR. */
export function localModelFromConfig(
  config: Pick<
    Config,
    'LOCAL_MODEL_PATH' | 'LOCAL_MODEL_THREADS' | 'LOCAL_MODEL_CONTEXT' | 'MODELS_DIR' | 'DATA_DIR'
  >,
  log?: LocalGgufOptions['log'],
): LocalGgufProvider | null {
  const p = config.LOCAL_MODEL_PATH;
  if (!p) return null;
  const bare = !p.includes('/') && !p.includes(path.sep);
  const file = bare && !fs.existsSync(p) ? path.join(modelsDir(config), p) : path.resolve(p);
  return createLocalGgufProvider({
    modelPaths: [file],
    threads: config.LOCAL_MODEL_THREADS,
    contextSize: config.LOCAL_MODEL_CONTEXT,
    log,
  });
}

export function createLocalGgufProvider(opts: LocalGgufOptions): LocalGgufProvider {
  const threads = opts.threads ?? 1;
  const files = opts.modelPaths.map((p) => path.resolve(p));
  let llamaPromise: Promise<Llama> | null = null;
  const models = new Map<string, Promise<LoadedModel>>();

  function getLlamaOnce(): Promise<Llama> {
    llamaPromise ??= (async () => {
      const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
      return getLlama({
        gpu: false,
        build: 'never',
        skipDownload: true,
        usePrebuiltBinaries: true,
        progressLogs: false,
        maxThreads: threads,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => opts.log?.warn({ level, provider: 'local-gguf' }, message.trim()),
      });
    })().catch((err: unknown) => {
      llamaPromise = null;
      throw new ProviderError(
        'provider_error',
        `The local model runtime (node-llama-cpp) has no usable prebuilt binary for ${process.platform}-${process.arch}; Kawan never builds llama.cpp from source: ${(err as Error).message}`,
        false,
      );
    });
    return llamaPromise;
  }

  function resolveFile(ref: string): string {
    if (!ref && files.length === 1) return files[0]!;
    const model = ref.replace(/^local\//, '');
    const found = files.find((f) => f === path.resolve(model) || path.basename(f) === model);
    if (!found) throw new ProviderError('provider_error', `Unknown local model "${ref}"`, false, 404);
    return found;
  }

  function loadOnce(file: string): Promise<LoadedModel> {
    let p = models.get(file);
    if (!p) {
      p = (async () => {
        if (!fs.existsSync(file))
          throw new ProviderError('provider_error', `Local model file not found: ${file}`, false, 404);
        const llama = await getLlamaOnce();
        const { GeneralChatWrapper, resolveChatWrapper } = await import('node-llama-cpp');
        const started = Date.now();
        let model: LlamaModel;
        try {
          model = await llama.loadModel({ modelPath: file, gpuLayers: 0 });
        } catch (err) {
          throw new ProviderError(
            'provider_error',
            `Could not load ${path.basename(file)}: ${(err as Error).message}`,
            false,
          );
        }
        const parallel = opts.parallel ?? 1;
        const context = await model.createContext({
          contextSize: Math.min(opts.contextSize ?? 4096, model.trainContextSize),
          sequences: parallel,
          threads,
        });
        // the model's own chat template when it has one; otherwise a plain "### User / ### Assistant" format
        const hasTemplate = !!model.fileInfo.metadata.tokenizer?.chat_template;
        const wrapper = hasTemplate ? resolveChatWrapper(model) : new GeneralChatWrapper();
        opts.log?.info(
          {
            file,
            ms: Date.now() - started,
            contextSize: context.contextSize,
            threads,
            chatWrapper: wrapper.wrapperName,
          },
          'local model loaded',
        );
        return { model, context, wrapper, slots: createSlots(parallel) };
      })();
      p.catch(() => models.delete(file));
      models.set(file, p);
    }
    return p;
  }

  async function* stream(req: ChatRequest): AsyncGenerator<ChatChunk> {
    throwIfAborted(req.signal);
    const file = resolveFile(req.model);
    const loaded = await abortable(loadOnce(file), req.signal);
    const release = await loaded.slots.acquire(req.signal);
    // stops generation when the caller aborts, and when it stops reading this stream early
    const stop = new AbortController();
    const signal = req.signal ? AbortSignal.any([req.signal, stop.signal]) : stop.signal;
    const pending: string[] = [];
    let wake: (() => void) | null = null;
    let finished = false;
    let run: Promise<LlamaChatResponse> | undefined;
    let sequence: LlamaContextSequence | undefined;
    let chat: LlamaChat | undefined;
    try {
      const grammar = req.jsonSchema
        ? await createGrammar(await getLlamaOnce(), req.jsonSchema.schema)
        : undefined;
      const nlc = await import('node-llama-cpp');
      sequence = loaded.context.getSequence();
      chat = new nlc.LlamaChat({
        contextSequence: sequence,
        chatWrapper: loaded.wrapper,
        autoDisposeSequence: false,
      });
      const before = sequence.tokenMeter.getState();
      run = chat
        .generateResponse(toChatHistory(req.messages), {
          grammar,
          signal,
          maxTokens: req.maxTokens ?? DEFAULT_MAX_TOKENS,
          temperature: req.temperature ?? DEFAULT_TEMPERATURE,
          onTextChunk: (text) => {
            pending.push(text);
            wake?.();
          },
        })
        .finally(() => {
          finished = true;
          wake?.();
        });
      run.catch(() => {}); // awaited below; this only keeps an early rejection from being reported as unhandled
      for (;;) {
        const text = pending.shift();
        if (text) yield { type: 'delta', text };
        else if (text === undefined && finished) break;
        else if (text === undefined) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      const result = await run.catch((err: unknown) => {
        throw toProviderError(err, req.signal);
      });
      const used = sequence.tokenMeter.diff(before);
      yield {
        type: 'done',
        finishReason: toFinishReason(result.metadata.stopReason),
        usage: {
          promptTokens: used.usedInputTokens,
          completionTokens: used.usedOutputTokens,
          totalTokens: used.usedInputTokens + used.usedOutputTokens,
        },
      };
    } finally {
      // the caller stopped reading early: stop generating, and let llama.cpp finish with the sequence before
      // another request gets it
      if (!finished) stop.abort();
      await run?.catch(() => {});
      chat?.dispose({ disposeSequence: false });
      sequence?.dispose();
      release();
    }
  }

  return {
    kind: 'local-gguf',
    stream,
    complete: (req: ChatRequest): Promise<ChatResult> => collectStream(stream(req)),
    async listModels(): Promise<ModelInfo[]> {
      const { readGgufFileInfo } = await import('node-llama-cpp');
      const out: ModelInfo[] = [];
      for (const file of files) {
        if (!fs.existsSync(file)) continue;
        const info = await readGgufFileInfo(file, { sourceType: 'filesystem', readTensorInfo: false });
        const trained = info.architectureMetadata.context_length ?? opts.contextSize ?? 4096;
        out.push({
          id: path.basename(file),
          provider: 'local-gguf',
          vision: false,
          tools: false,
          contextWindow: Math.min(opts.contextSize ?? 4096, trained),
        });
      }
      return out;
    },
    async close() {
      const loaded = await Promise.allSettled(models.values());
      models.clear();
      for (const l of loaded) if (l.status === 'fulfilled') await l.value.model.dispose();
      const llama = await llamaPromise?.catch(() => null);
      llamaPromise = null;
      await llama?.dispose();
    },
  };
}

async function createGrammar(llama: Llama, schema: Record<string, unknown>) {
  try {
    return await llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema as GbnfJsonSchema);
  } catch (err) {
    throw new ProviderError(
      'provider_error',
      `The local model cannot enforce this JSON schema: ${(err as Error).message}`,
      false,
      400,
    );
  }
}

function toProviderError(err: unknown, signal?: AbortSignal): Error {
  if (err instanceof ProviderError) return err;
  if (signal?.aborted) {
    const timedOut = (signal.reason as Error | undefined)?.name === 'TimeoutError';
    return timedOut
      ? new ProviderError('provider_timeout', 'The local model did not finish in time', true)
      : new ProviderError('cancelled', 'The request was cancelled', false);
  }
  return new ProviderError('provider_error', `The local model failed: ${(err as Error).message}`, false);
}

function throwIfAborted(signal?: AbortSignal) {
  if (signal?.aborted) throw toProviderError(signal.reason, signal);
}

/** Waits for `p` unless `signal` aborts first (the shared work behind `p` goes on for other callers). */
function abortable<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toProviderError(signal.reason, signal));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface Slots {
  acquire(signal?: AbortSignal): Promise<() => void>;
}

/** A FIFO semaphore: `acquire` resolves with a release function; an aborted wait leaves the queue. */
function createSlots(size: number): Slots {
  let free = size;
  const waiters: (() => void)[] = [];
  const release = () => {
    const next = waiters.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire(signal) {
      if (free > 0) {
        free--;
        return Promise.resolve(once(release));
      }
      let grant!: () => void;
      const granted = new Promise<() => void>((resolve) => (grant = () => resolve(once(release))));
      waiters.push(grant);
      return abortable(granted, signal).catch((err: unknown) => {
        const i = waiters.indexOf(grant);
        if (i >= 0) waiters.splice(i, 1);
        else void granted.then((r) => r()); // granted just as the wait was aborted: pass the slot on
        throw err;
      });
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
