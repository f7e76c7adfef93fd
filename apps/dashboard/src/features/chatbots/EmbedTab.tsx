import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { CopyButton } from '../../ui/copy-button';
import { SelectField, TextField } from '../../ui/forms';
import { ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { originAllowed, qk, useChatbot, useChatbotKeys, type Chatbot } from './chatbots.api';
import { knownSecrets, rememberSecret } from './secrets';
import { SecretDialog } from './SecretDialog';

const PASTE = '__paste__';

const attr = (s: string) =>
  s.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * A small page hosting the widget the way a customer's site would: the same <script> tag, served by this
 * Kawan. The iframe shares the dashboard's origin, so the chatbot's allowed domains must include it.
 */
export function previewDocument(o: {
  origin: string;
  bot: Chatbot;
  secret: string;
  lang: string;
  heading: string;
  text: string;
}): string {
  const e = o.bot.embed;
  return `<!doctype html>
<html lang="${attr(o.lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${attr(o.heading)}</title>
<style>body{margin:0;padding:1.5rem;font:15px/1.5 system-ui,sans-serif;color:#1f2937;background:#f8fafc}
.fake{max-width:28rem}.fake div{height:.7rem;margin:.6rem 0;border-radius:4px;background:#e2e8f0}</style></head>
<body><div class="fake"><h1 style="font-size:1.2rem">${attr(o.heading)}</h1><p>${attr(o.text)}</p>
<div></div><div style="width:80%"></div><div style="width:60%"></div></div>
<script src="${attr(o.origin)}/widget.js" data-chatbot="${attr(o.bot.id)}" data-key="${attr(o.secret)}"
 data-color="${attr(e.color)}" data-position="${attr(e.position)}" data-greeting="${attr(e.greeting)}"
 data-language="${attr(o.bot.language)}"></script>
</body></html>`;
}

export function EmbedTab() {
  const { t } = useI18n();
  const { orgId } = useCurrentOrg();
  const { botId = '' } = useParams();
  const bot = useChatbot(orgId, botId);
  const embed = useQuery({
    queryKey: qk.embed(orgId, botId),
    queryFn: () =>
      call(api.GET('/api/v1/orgs/{orgId}/chatbots/{botId}/embed', { params: { path: { orgId, botId } } })),
  });

  return (
    <div className="bot-embed">
      <section aria-labelledby="embed-code-title">
        <h2 id="embed-code-title">{t('chatbots.embed.codeTitle')}</h2>
        <p className="muted">{t('chatbots.embed.codeIntro')}</p>
        {embed.isPending ? (
          <Loading />
        ) : embed.error ? (
          <ErrorState error={embed.error} onRetry={() => void embed.refetch()} />
        ) : (
          <div className="snippet">
            <pre>
              <code data-snippet="">{embed.data.snippet}</code>
            </pre>
            <div className="row">
              <CopyButton text={embed.data.snippet} label={t('chatbots.embed.copyCode')} />
              <span className="muted small">{t('chatbots.embed.keyNote')}</span>
            </div>
          </div>
        )}
      </section>
      {bot.data ? <Preview orgId={orgId} bot={bot.data} /> : null}
    </div>
  );
}

function Preview({ orgId, bot }: { orgId: string; bot: Chatbot }) {
  const { t, lang } = useI18n();
  const { atLeast } = useCurrentOrg();
  const qc = useQueryClient();
  const toast = useToast();
  const canEdit = atLeast('member');
  const canManageKeys = atLeast('admin');
  const keys = useChatbotKeys(orgId, bot.id, canEdit);
  const [version, setVersion] = useState(0); // bumps when a secret is learned here
  const [choice, setChoice] = useState<string>('');
  const [pasted, setPasted] = useState('');
  const [shown, setShown] = useState<string | null>(null);
  const [newSecret, setNewSecret] = useState<{ value: string; name: string } | null>(null);

  // Secrets this tab knows, for keys the server still accepts.
  const usable = useMemo(() => {
    const live = new Set(
      (keys.data?.pages.flatMap((p) => p.data) ?? []).filter((k) => k.status === 'active').map((k) => k.id),
    );
    return knownSecrets(bot.id).filter((s) => !keys.data || live.has(s.keyId));
  }, [bot.id, keys.data, version]);
  const selected = choice || usable[0]?.keyId || PASTE;
  const secret =
    selected === PASTE ? pasted.trim() : (usable.find((s) => s.keyId === selected)?.secret ?? '');

  const host = window.location.host;
  const allowed = bot.embed.allowedDomains;
  const hostAllowed = originAllowed(window.location.origin, allowed);

  const allowHost = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/api/v1/orgs/{orgId}/chatbots/{botId}', {
          params: { path: { orgId, botId: bot.id } },
          body: { embed: { allowedDomains: [...allowed, host.toLowerCase()] } },
        }),
      ),
    onSuccess: (updated) => {
      qc.setQueryData(qk.bot(orgId, bot.id), updated);
      void qc.invalidateQueries({ queryKey: qk.embed(orgId, bot.id) });
      toast(t('chatbots.embed.hostAdded', { host }));
    },
  });

  const createKey = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/chatbots/{botId}/keys', {
          params: { path: { orgId, botId: bot.id } },
          body: { name: t('chatbots.embed.previewKeyName') },
        }),
      ),
    onSuccess: (r) => {
      rememberSecret(bot.id, { keyId: r.key.id, name: r.key.name, prefix: r.key.prefix, secret: r.secret });
      setVersion((v) => v + 1);
      setChoice(r.key.id);
      setNewSecret({ value: r.secret, name: r.key.name });
      void qc.invalidateQueries({ queryKey: qk.keys(orgId, bot.id) });
    },
  });

  const srcDoc =
    shown &&
    previewDocument({
      origin: window.location.origin,
      bot,
      secret: shown,
      lang: bot.language,
      heading: t('chatbots.embed.previewPageHeading'),
      text: t('chatbots.embed.previewPageText'),
    });

  return (
    <section aria-labelledby="embed-preview-title" className="embed-preview">
      <h2 id="embed-preview-title">{t('chatbots.embed.previewTitle')}</h2>
      <p className="muted">
        {t('chatbots.embed.previewIntro')}{' '}
        <Link to={`/orgs/${orgId}/chatbots/${bot.id}/settings`}>{t('chatbots.embed.appearanceLink')}</Link>
      </p>

      {allowed.length === 0 ? (
        <p className="notice">{t('chatbots.embed.anyDomain')}</p>
      ) : hostAllowed ? (
        <p className="notice notice-ok">{t('chatbots.embed.hostAllowed', { host })}</p>
      ) : (
        <div className="notice notice-warning" role="note">
          <p>{t('chatbots.embed.hostNotAllowed', { host })}</p>
          {canEdit ? (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => allowHost.mutate()}
              disabled={allowHost.isPending}
            >
              {t('chatbots.embed.allowHost', { host })}
            </button>
          ) : null}
          {allowHost.error ? <ErrorState error={allowHost.error} /> : null}
        </div>
      )}

      <div className="card preview-controls">
        <div className="row preview-key-row">
          <div className="grow">
            <SelectField
              label={t('chatbots.embed.previewKey')}
              hint={t('chatbots.embed.previewKeyHint')}
              value={selected}
              onChange={(e) => setChoice(e.target.value)}
              options={[
                ...usable.map((s) => ({
                  value: s.keyId,
                  label: t('chatbots.embed.knownKey', { name: s.name, prefix: s.prefix }),
                })),
                { value: PASTE, label: t('chatbots.embed.pasteOption') },
              ]}
            />
          </div>
          {canManageKeys ? (
            <button
              type="button"
              className="btn"
              onClick={() => createKey.mutate()}
              disabled={createKey.isPending}
            >
              {t('chatbots.embed.createPreviewKey')}
            </button>
          ) : null}
        </div>
        {selected === PASTE ? (
          <TextField
            label={t('chatbots.embed.pasteKey')}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="kw_…"
            value={pasted}
            onChange={(e) => setPasted(e.target.value)}
          />
        ) : null}
        {createKey.error ? <ErrorState error={createKey.error} /> : null}
        <div className="actions">
          {shown ? (
            <button type="button" className="btn" onClick={() => setShown(null)}>
              {t('chatbots.embed.hidePreview')}
            </button>
          ) : null}
          <button
            type="button"
            className="btn btn-primary"
            disabled={!secret}
            onClick={() => setShown(secret)}
          >
            {shown ? t('chatbots.embed.reloadPreview') : t('chatbots.embed.showPreview')}
          </button>
        </div>
      </div>

      {srcDoc ? (
        <iframe
          key={`${shown}:${bot.updatedAt}:${lang}`}
          className="preview-frame"
          title={t('chatbots.embed.previewFrame', { name: bot.name })}
          srcDoc={srcDoc}
        />
      ) : (
        <div className="state state-empty preview-placeholder">
          <p>{t('chatbots.embed.previewEmpty')}</p>
        </div>
      )}
      <SecretDialog secret={newSecret} onClose={() => setNewSecret(null)} />
    </section>
  );
}
