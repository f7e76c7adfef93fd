import { useState, type FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useI18n } from '../../i18n/i18n';
import { Checkbox, TextField } from '../../ui/forms';
import { useToast } from '../../ui/toast';
import { urlErrorText } from './format';
import type { Doc } from './knowledge.api';

/** A web page (or a small crawl of its site) becomes documents, ingested like uploads. */
export function UrlIngestForm({
  orgId,
  botId,
  onAdded,
}: {
  orgId: string;
  botId: string;
  onAdded: (doc: Doc) => void;
}) {
  const { t, errorText } = useI18n();
  const toast = useToast();
  const [url, setUrl] = useState('');
  const [site, setSite] = useState(false);
  const add = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/documents/urls', {
          params: { path: { orgId, botId } },
          body: { url: url.trim(), mode: site ? 'site' : 'page' },
        }),
      ),
    onSuccess: (r) => {
      onAdded(r.document);
      setUrl('');
      toast(
        r.crawl
          ? t('knowledge.url.crawlStarted', { max: r.crawl.maxPages })
          : r.duplicate
            ? t('knowledge.url.duplicate', { title: r.document.title })
            : t('knowledge.url.added', { title: r.document.title }),
      );
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!url.trim()) return;
    add.mutate();
  };
  const err = add.error;
  return (
    <section className="kn-url card">
      <h3>{t('knowledge.url.title')}</h3>
      <form className="kn-url-form" onSubmit={submit} noValidate>
        <TextField
          label={t('knowledge.url.label')}
          hint={t('knowledge.url.hint')}
          type="url"
          inputMode="url"
          placeholder="https://example.com/faq"
          value={url}
          onChange={(e) => {
            setUrl(e.target.value);
            if (add.error) add.reset();
          }}
          required
          error={err ? urlErrorText(err, t, errorText) : undefined}
        />
        {err instanceof ApiError && err.code === 'bad_request' ? (
          <details className="kn-details small">
            <summary>{t('knowledge.url.details')}</summary>
            <p className="muted">{err.message}</p>
          </details>
        ) : null}
        <div className="row">
          <Checkbox
            label={t('knowledge.url.site')}
            checked={site}
            onChange={(e) => setSite(e.target.checked)}
          />
          <span className="grow" />
          <button type="submit" className="btn btn-primary" disabled={add.isPending || !url.trim()}>
            {add.isPending ? t('knowledge.url.adding') : t('knowledge.url.add')}
          </button>
        </div>
      </form>
    </section>
  );
}
