import { useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useCurrentOrg } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import type { Language } from '../../i18n/define';
import { ConfirmDialog } from '../../ui/dialog';
import { Checkbox, Field, SelectField, TextArea, TextField } from '../../ui/forms';
import { ErrorState, QueryView } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { DOMAIN_RE, qk, useChatbot, useModels, type Chatbot, type ChatbotPatch } from './chatbots.api';
import { modelLabel } from './ModelName';

interface Form {
  name: string;
  slug: string;
  description: string;
  systemPrompt: string;
  language: Language;
  active: boolean;
  model: string;
  fallbackModel: string;
  grounding: 'strict' | 'relaxed';
  temperature: string;
  maxTokens: string;
  useBusinessProfile: boolean;
  demoMessageLimit: string;
  allowedDomains: string;
  color: string;
  position: 'bottom-right' | 'bottom-left';
  greeting: string;
}

function formOf(b: Chatbot): Form {
  return {
    name: b.name,
    slug: b.slug,
    description: b.description,
    systemPrompt: b.systemPrompt,
    language: b.language,
    active: b.status === 'active',
    model: b.modelSettings.model ?? '',
    fallbackModel: b.modelSettings.fallbackModel ?? '',
    grounding: b.modelSettings.strictGrounding ? 'strict' : 'relaxed',
    temperature: String(b.modelSettings.temperature),
    maxTokens: String(b.modelSettings.maxTokens),
    useBusinessProfile: b.modelSettings.useBusinessProfile ?? true,
    demoMessageLimit: String(b.demoMessageLimit),
    allowedDomains: b.embed.allowedDomains.join('\n'),
    color: b.embed.color,
    position: b.embed.position,
    greeting: b.embed.greeting,
  };
}

const splitDomains = (s: string) =>
  s
    .split(/[\s,]+/)
    .map((d) => d.trim().toLowerCase())
    .filter(Boolean);

type Errors = Partial<Record<keyof Form, string>>;

/** The PATCH body for what changed (nested groups are merged by the server), or the field errors. */
function patchOf(initial: Form, f: Form, t: (k: 'chatbots.err.number' | 'chatbots.err.domains') => string) {
  const errors: Errors = {};
  const num = (k: keyof Form, v: string, min: number, max: number, int: boolean) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (int && !Number.isInteger(n)))
      errors[k] = t('chatbots.err.number');
    return n;
  };
  const temperature = num('temperature', f.temperature, 0, 2, false);
  const maxTokens = num('maxTokens', f.maxTokens, 1, 32_000, true);
  const demoMessageLimit = num('demoMessageLimit', f.demoMessageLimit, 0, 10_000, true);
  const domains = splitDomains(f.allowedDomains);
  if (domains.some((d) => !DOMAIN_RE.test(d))) errors.allowedDomains = t('chatbots.err.domains');
  if (Object.keys(errors).length) return { errors };

  const changed = (...keys: (keyof Form)[]) => keys.some((k) => initial[k] !== f[k]);
  const body: ChatbotPatch = {};
  if (changed('name')) body.name = f.name.trim();
  if (changed('slug')) body.slug = f.slug.trim();
  if (changed('description')) body.description = f.description;
  if (changed('systemPrompt')) body.systemPrompt = f.systemPrompt;
  if (changed('language')) body.language = f.language;
  if (changed('active')) body.status = f.active ? 'active' : 'disabled';
  if (changed('demoMessageLimit')) body.demoMessageLimit = demoMessageLimit;
  if (changed('model', 'fallbackModel', 'grounding', 'temperature', 'maxTokens', 'useBusinessProfile')) {
    body.modelSettings = {
      model: f.model || null,
      fallbackModel: f.fallbackModel || null,
      strictGrounding: f.grounding === 'strict',
      temperature,
      maxTokens,
      useBusinessProfile: f.useBusinessProfile,
    };
  }
  if (changed('allowedDomains', 'color', 'position', 'greeting')) {
    body.embed = { allowedDomains: domains, color: f.color, position: f.position, greeting: f.greeting };
  }
  return { body };
}

export function SettingsTab() {
  const { orgId } = useCurrentOrg();
  const { botId = '' } = useParams();
  const bot = useChatbot(orgId, botId);
  return <QueryView query={bot}>{(b) => <SettingsForm key={b.updatedAt} orgId={orgId} bot={b} />}</QueryView>;
}

function SettingsForm({ orgId, bot }: { orgId: string; bot: Chatbot }) {
  const { t } = useI18n();
  const { atLeast } = useCurrentOrg();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const canEdit = atLeast('member');
  const canDelete = atLeast('admin');
  const models = useModels(orgId, canEdit);
  const initial = formOf(bot);
  const [f, setF] = useState<Form>(initial);
  const [errors, setErrors] = useState<Errors>({});
  const [confirmDelete, setConfirmDelete] = useState(false);
  const set =
    <K extends keyof Form>(k: K) =>
    (v: Form[K]) =>
      setF((old) => ({ ...old, [k]: v }));
  const dirty = JSON.stringify(initial) !== JSON.stringify(f);

  const save = useMutation({
    mutationFn: (body: ChatbotPatch) =>
      call(
        api.PATCH('/api/v1/orgs/{orgId}/chatbots/{botId}', {
          params: { path: { orgId, botId: bot.id } },
          body,
        }),
      ),
    onSuccess: (updated) => {
      qc.setQueryData(qk.bot(orgId, bot.id), updated);
      void qc.invalidateQueries({ queryKey: qk.list(orgId) });
      void qc.invalidateQueries({ queryKey: qk.embed(orgId, bot.id) });
      toast(t('state.saved'));
    },
  });
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/api/v1/orgs/{orgId}/chatbots/{botId}', {
          params: { path: { orgId, botId: bot.id } },
        }),
      ),
    onSuccess: () => {
      setConfirmDelete(false);
      qc.removeQueries({ queryKey: qk.bot(orgId, bot.id) });
      void qc.invalidateQueries({ queryKey: qk.list(orgId) });
      toast(t('chatbots.deleted', { name: bot.name }));
      navigate(`/orgs/${orgId}/chatbots`, { replace: true });
    },
    onError: () => setConfirmDelete(false),
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const r = patchOf(initial, f, t);
    setErrors(r.errors ?? {});
    if (r.body && Object.keys(r.body).length) save.mutate(r.body);
  };

  const modelOptions = (current: string, none: string) => {
    const list = models.data?.data ?? [];
    const opts = [{ value: '', label: none }, ...list.map((m) => ({ value: m.id, label: modelLabel(m) }))];
    if (current && !list.some((m) => m.id === current))
      opts.push({ value: current, label: t('chatbots.modelUnavailable', { model: current }) });
    return opts;
  };

  return (
    <div className="bot-settings">
      <form className="form settings-form" onSubmit={submit} aria-label={t('chatbots.settingsTitle')}>
        <h2>{t('chatbots.settingsTitle')}</h2>
        {!canEdit ? <p className="muted">{t('chatbots.readOnly')}</p> : null}
        <fieldset disabled={!canEdit || save.isPending}>
          <legend>{t('chatbots.section.general')}</legend>
          <TextField
            label={t('chatbots.name')}
            required
            maxLength={100}
            value={f.name}
            onChange={(e) => set('name')(e.target.value)}
          />
          <TextArea
            label={t('chatbots.description')}
            hint={t('chatbots.descriptionHint')}
            maxLength={2000}
            value={f.description}
            onChange={(e) => set('description')(e.target.value)}
          />
          <TextField
            label={t('chatbots.slug')}
            hint={t('chatbots.slugHint')}
            required
            pattern="[a-z0-9]+(-[a-z0-9]+)*"
            maxLength={64}
            value={f.slug}
            onChange={(e) => set('slug')(e.target.value)}
          />
          <SelectField
            label={t('chatbots.language')}
            hint={t('chatbots.languageHint')}
            value={f.language}
            onChange={(e) => set('language')(e.target.value as Language)}
            options={[
              { value: 'en', label: t('language.en') },
              { value: 'id', label: t('language.id') },
            ]}
          />
          <Checkbox
            label={t('chatbots.active')}
            checked={f.active}
            onChange={(e) => set('active')(e.target.checked)}
          />
        </fieldset>

        <fieldset disabled={!canEdit || save.isPending}>
          <legend>{t('chatbots.section.answers')}</legend>
          <TextArea
            label={t('chatbots.systemPrompt')}
            hint={t('chatbots.systemPromptHint')}
            maxLength={20_000}
            rows={6}
            value={f.systemPrompt}
            onChange={(e) => set('systemPrompt')(e.target.value)}
          />
          <SelectField
            label={t('chatbots.grounding')}
            hint={t('chatbots.groundingHint')}
            value={f.grounding}
            onChange={(e) => set('grounding')(e.target.value as Form['grounding'])}
            options={[
              { value: 'strict', label: t('chatbots.grounding.strict') },
              { value: 'relaxed', label: t('chatbots.grounding.relaxed') },
            ]}
          />
          {models.error ? <ErrorState error={models.error} onRetry={() => void models.refetch()} /> : null}
          <SelectField
            label={t('chatbots.model')}
            hint={t('chatbots.modelHint')}
            value={f.model}
            onChange={(e) => set('model')(e.target.value)}
            options={modelOptions(f.model, t('chatbots.modelDefault'))}
          />
          <SelectField
            label={t('chatbots.fallbackModel')}
            hint={t('chatbots.fallbackModelHint')}
            value={f.fallbackModel}
            onChange={(e) => set('fallbackModel')(e.target.value)}
            options={modelOptions(f.fallbackModel, t('chatbots.fallbackNone'))}
          />
          <div className="settings-pair">
            <TextField
              label={t('chatbots.temperature')}
              hint={t('chatbots.temperatureHint')}
              type="number"
              min={0}
              max={2}
              step={0.1}
              error={errors.temperature}
              value={f.temperature}
              onChange={(e) => set('temperature')(e.target.value)}
            />
            <TextField
              label={t('chatbots.maxTokens')}
              hint={t('chatbots.maxTokensHint')}
              type="number"
              min={1}
              max={32000}
              step={1}
              error={errors.maxTokens}
              value={f.maxTokens}
              onChange={(e) => set('maxTokens')(e.target.value)}
            />
          </div>
          <Checkbox
            label={t('chatbots.useBusinessProfile')}
            checked={f.useBusinessProfile}
            onChange={(e) => set('useBusinessProfile')(e.target.checked)}
          />
        </fieldset>

        <fieldset disabled={!canEdit || save.isPending}>
          <legend>{t('chatbots.section.widget')}</legend>
          <TextField
            label={t('chatbots.demoLimit')}
            hint={t('chatbots.demoLimitHint')}
            type="number"
            min={0}
            max={10000}
            step={1}
            error={errors.demoMessageLimit}
            value={f.demoMessageLimit}
            onChange={(e) => set('demoMessageLimit')(e.target.value)}
          />
          <TextArea
            label={t('chatbots.allowedDomains')}
            hint={t('chatbots.allowedDomainsHint')}
            rows={3}
            error={errors.allowedDomains}
            value={f.allowedDomains}
            onChange={(e) => set('allowedDomains')(e.target.value)}
          />
          <div className="settings-pair">
            <Field label={t('chatbots.color')}>
              {(p) => (
                <input
                  {...p}
                  type="color"
                  className="color-input"
                  value={f.color}
                  onChange={(e) => set('color')(e.target.value)}
                />
              )}
            </Field>
            <SelectField
              label={t('chatbots.position')}
              value={f.position}
              onChange={(e) => set('position')(e.target.value as Form['position'])}
              options={[
                { value: 'bottom-right', label: t('chatbots.position.right') },
                { value: 'bottom-left', label: t('chatbots.position.left') },
              ]}
            />
          </div>
          <TextArea
            label={t('chatbots.greeting')}
            hint={t('chatbots.greetingHint')}
            maxLength={500}
            rows={2}
            value={f.greeting}
            onChange={(e) => set('greeting')(e.target.value)}
          />
        </fieldset>

        {save.error ? <ErrorState error={save.error} /> : null}
        {Object.keys(errors).length ? (
          <p className="field-error" role="alert">
            {t('error.validation_failed')}
          </p>
        ) : null}
        {canEdit ? (
          <div className="actions settings-actions">
            <button
              type="button"
              className="btn"
              disabled={!dirty || save.isPending}
              onClick={() => setF(initial)}
            >
              {t('chatbots.discard')}
            </button>
            <button type="submit" className="btn btn-primary" disabled={!dirty || save.isPending}>
              {save.isPending ? t('action.saving') : t('action.save')}
            </button>
          </div>
        ) : null}
      </form>

      {canDelete ? (
        <section className="card danger-zone" aria-labelledby="bot-danger-title">
          <h2 id="bot-danger-title">{t('chatbots.dangerZone')}</h2>
          <p>{t('chatbots.deleteText')}</p>
          <button type="button" className="btn btn-danger" onClick={() => setConfirmDelete(true)}>
            {t('chatbots.delete')}
          </button>
          {remove.error ? <ErrorState error={remove.error} /> : null}
        </section>
      ) : null}
      <ConfirmDialog
        open={confirmDelete}
        message={t('chatbots.deleteConfirm', { name: bot.name })}
        confirmLabel={t('chatbots.delete')}
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setConfirmDelete(false)}
      />
    </div>
  );
}
