import { useId, useRef, useState, type DragEvent } from 'react';
import { useI18n } from '../../i18n/i18n';
import { formatBytes, uploadErrorText } from './format';
import { UploadAborted, uploadFile, type UploadResult } from './knowledge.api';

/** What the file picker offers; the server sniffs the bytes anyway, so anything else still gets a clear error. */
export const ACCEPT =
  '.pdf,.docx,.txt,.md,.markdown,.html,.htm,.csv,.json,.png,.jpg,.jpeg,.webp,' +
  'application/pdf,text/plain,text/markdown,text/html,text/csv,application/json,image/png,image/jpeg,image/webp';

interface Item {
  key: number;
  file: File;
  /** 0..1 of the bytes sent */
  progress: number;
  state: 'waiting' | 'uploading' | 'done' | 'duplicate' | 'error' | 'cancelled';
  error?: string;
  docTitle?: string;
  controller: AbortController;
}

let nextKey = 1;
const PARALLEL = 2;

/**
 * Drag-and-drop (or pick) several files; each uploads with its own progress bar and its own error. Ingestion
 * status then shows in the documents table, which polls while anything is in progress.
 */
export function UploadZone({ url, onUploaded }: { url: string; onUploaded: (r: UploadResult) => void }) {
  const { t, lang, errorText } = useI18n();
  const inputId = useId();
  const [items, setItems] = useState<Item[]>([]);
  const [dragging, setDragging] = useState(false);
  const queue = useRef<Item[]>([]);
  const running = useRef(0);

  const patch = (key: number, p: Partial<Item>) =>
    setItems((list) => list.map((i) => (i.key === key ? { ...i, ...p } : i)));

  const pump = () => {
    while (running.current < PARALLEL && queue.current.length > 0) {
      const item = queue.current.shift()!;
      if (item.controller.signal.aborted) continue;
      running.current++;
      void run(item).finally(() => {
        running.current--;
        pump();
      });
    }
  };

  const run = async (item: Item) => {
    patch(item.key, { state: 'uploading' });
    try {
      const r = await uploadFile(
        url,
        'POST',
        item.file,
        (f) => patch(item.key, { progress: f }),
        item.controller.signal,
      );
      patch(item.key, {
        state: r.duplicate ? 'duplicate' : 'done',
        progress: 1,
        docTitle: r.document.title,
      });
      onUploaded(r);
    } catch (err) {
      if (err instanceof UploadAborted) patch(item.key, { state: 'cancelled' });
      else patch(item.key, { state: 'error', error: uploadErrorText(err, item.file.name, t, errorText) });
    }
  };

  const add = (files: FileList | File[]) => {
    const fresh: Item[] = Array.from(files).map((file) => {
      const item: Item = {
        key: nextKey++,
        file,
        progress: 0,
        state: 'waiting',
        controller: new AbortController(),
      };
      if (file.size === 0) {
        item.state = 'error';
        item.error = t('knowledge.upload.error.empty', { name: file.name });
      }
      return item;
    });
    if (fresh.length === 0) return;
    setItems((list) => [...fresh, ...list]);
    queue.current.push(...fresh.filter((i) => i.state === 'waiting'));
    pump();
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    if (e.dataTransfer?.files?.length) add(e.dataTransfer.files);
  };

  const cancel = (item: Item) => {
    item.controller.abort();
    if (item.state === 'waiting') patch(item.key, { state: 'cancelled' });
  };
  const finished = items.some((i) => i.state !== 'waiting' && i.state !== 'uploading');

  return (
    <section className="kn-upload" aria-labelledby={`${inputId}-title`}>
      <h3 id={`${inputId}-title`}>{t('knowledge.upload.title')}</h3>
      <div
        className={`kn-dropzone${dragging ? ' kn-dropzone-active' : ''}`}
        data-testid="dropzone"
        onDragEnter={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        }}
        onDragLeave={(e) => {
          if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <p className="kn-dropzone-text">{t('knowledge.upload.drop')}</p>
        <input
          id={inputId}
          type="file"
          multiple
          accept={ACCEPT}
          className="visually-hidden kn-file-input"
          onChange={(e) => {
            if (e.target.files) add(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={inputId} className="btn btn-primary kn-choose">
          {t('knowledge.upload.choose')}
        </label>
        <p className="hint">{t('knowledge.upload.types')}</p>
      </div>

      {items.length > 0 ? (
        <>
          <ul className="kn-uploads" aria-label={t('knowledge.upload.listLabel')}>
            {items.map((i) => (
              <li key={i.key} className={`kn-upload-item kn-upload-${i.state}`}>
                <div className="kn-upload-row">
                  <span className="kn-upload-name">{i.file.name}</span>
                  <span className="muted small">{formatBytes(i.file.size, lang)}</span>
                  <span className="kn-upload-state small" aria-live="polite">
                    {i.state === 'uploading'
                      ? t('knowledge.upload.uploading', { pct: Math.round(i.progress * 100) })
                      : i.state === 'waiting'
                        ? t('knowledge.upload.waiting')
                        : i.state === 'done'
                          ? t('knowledge.upload.done')
                          : i.state === 'duplicate'
                            ? t('knowledge.upload.duplicate', { title: i.docTitle ?? i.file.name })
                            : i.state === 'cancelled'
                              ? t('knowledge.upload.cancelled')
                              : null}
                  </span>
                  {i.state === 'waiting' || i.state === 'uploading' ? (
                    <button
                      type="button"
                      className="btn btn-small btn-ghost"
                      aria-label={t('knowledge.upload.cancelNamed', { name: i.file.name })}
                      onClick={() => cancel(i)}
                    >
                      {t('action.cancel')}
                    </button>
                  ) : null}
                </div>
                {i.state === 'uploading' || i.state === 'waiting' ? (
                  <progress
                    className="kn-progress"
                    max={100}
                    value={Math.round(i.progress * 100)}
                    aria-label={t('knowledge.upload.progressLabel', { name: i.file.name })}
                  />
                ) : null}
                {i.state === 'error' ? (
                  <p className="field-error" role="alert">
                    {i.error}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
          {finished ? (
            <div className="actions kn-uploads-actions">
              <button
                type="button"
                className="btn btn-small"
                onClick={() =>
                  setItems((list) => list.filter((i) => i.state === 'waiting' || i.state === 'uploading'))
                }
              >
                {t('knowledge.upload.clear')}
              </button>
            </div>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
