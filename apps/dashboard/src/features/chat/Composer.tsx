import { useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useI18n, type MessageKey } from '../../i18n/i18n';
import { SelectField, TextArea } from '../../ui/forms';
import { MODES, type ImageAttachment, type Mode } from './chat.api';
import { Cross, Paperclip, StopSquare } from './icons';

export interface PickedImage {
  name: string;
  mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  /** data: URL, shown as the preview and sent as is (the API accepts base64 or a data URL) */
  dataUrl: string;
}

export function toAttachment(i: PickedImage): ImageAttachment {
  return { data: i.dataUrl, mimeType: i.mimeType, name: i.name };
}

const TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
const MAX_BYTES = 10 * 1024 * 1024;
const MAX_IMAGES = 4;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result));
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

/** The question box: text, mode, image attachments, and Send (or Stop while an answer streams). */
export function Composer({
  mode,
  onModeChange,
  streaming,
  disabled,
  onSend,
  onStop,
}: {
  mode: Mode;
  onModeChange: (m: Mode) => void;
  streaming: boolean;
  disabled: boolean;
  onSend: (text: string, images: PickedImage[]) => void;
  onStop: () => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [images, setImages] = useState<PickedImage[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const pick = async (files: FileList | null) => {
    setProblem(null);
    const list = Array.from(files ?? []);
    if (fileRef.current) fileRef.current.value = '';
    const next = [...images];
    for (const f of list) {
      if (next.length >= MAX_IMAGES) {
        setProblem(t('chat.tooManyImages'));
        break;
      }
      if (!(TYPES as readonly string[]).includes(f.type)) {
        setProblem(t('chat.imageType', { name: f.name }));
        continue;
      }
      if (f.size > MAX_BYTES) {
        setProblem(t('chat.imageTooLarge', { name: f.name }));
        continue;
      }
      next.push({
        name: f.name,
        mimeType: f.type as PickedImage['mimeType'],
        dataUrl: await readAsDataUrl(f),
      });
    }
    setImages(next);
  };

  const canSend = !disabled && !streaming && text.trim().length > 0;
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (!canSend) return;
    onSend(text.trim(), images);
    setText('');
    setImages([]);
    setProblem(null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <form className="chat-composer" onSubmit={submit}>
      <TextArea
        label={t('chat.message')}
        hint={t('chat.composerHint')}
        placeholder={t('chat.messagePlaceholder')}
        value={text}
        rows={2}
        maxLength={20_000}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
      />
      {images.length ? (
        <ul className="chat-previews">
          {images.map((img, i) => (
            <li key={`${img.name}-${i}`}>
              <img src={img.dataUrl} alt={img.name} />
              <button
                type="button"
                className="btn btn-small btn-icon"
                aria-label={t('chat.removeImage', { name: img.name })}
                onClick={() => setImages(images.filter((_, j) => j !== i))}
              >
                <Cross />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {problem ? (
        <p className="field-error" role="alert">
          {problem}
        </p>
      ) : null}
      <div className="chat-composer-bar">
        <div className="chat-mode">
          <SelectField
            label={t('chat.mode')}
            value={mode}
            onChange={(e) => onModeChange(e.target.value as Mode)}
            options={MODES.map((m) => ({ value: m, label: t(`chat.mode.${m}` as MessageKey) }))}
            disabled={streaming}
          />
        </div>
        <label className="btn chat-attach" title={t('chat.attachHint')}>
          <Paperclip />
          <span>{t('chat.attachImage')}</span>
          <input
            ref={fileRef}
            className="visually-hidden"
            type="file"
            accept={TYPES.join(',')}
            multiple
            disabled={disabled || streaming || images.length >= MAX_IMAGES}
            onChange={(e) => void pick(e.target.files)}
          />
        </label>
        {streaming ? (
          <button type="button" className="btn btn-danger" onClick={onStop}>
            <StopSquare /> {t('chat.stop')}
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={!canSend}>
            {t('chat.send')}
          </button>
        )}
      </div>
    </form>
  );
}
