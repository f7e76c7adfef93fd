import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Body, Ok } from '../../api/types';
import { useI18n } from '../../i18n/i18n';
import { tables, type MessageKey } from '../../i18n/messages';
import { SelectField, TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { useToast } from '../../ui/toast';

export type Preset = Ok<'/api/v1/orgs/{orgId}/providers', 'get'>['presets'][number];
type PresetId = NonNullable<Body<'/api/v1/orgs/{orgId}/providers', 'post'>['preset']>;

/** Preset names are product names; the generic ones ("Other … server") are translated. */
export function usePresetLabel(): (id: string, fallback: string) => string {
  const { t } = useI18n();
  return (id, fallback) => {
    const key = `providers.preset.${id}`;
    return key in tables.en ? t(key as MessageKey) : fallback;
  };
}

/** Adds a provider from a preset (which fills the base URL). The API key is write-only. */
export function ProviderForm({ orgId, presets }: { orgId: string; presets: Preset[] }) {
  const { t } = useI18n();
  const presetLabel = usePresetLabel();
  const qc = useQueryClient();
  const toast = useToast();
  const [presetId, setPresetId] = useState(presets[0]?.id ?? 'custom');
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [apiKey, setApiKey] = useState('');
  const preset = presets.find((p) => p.id === presetId);
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs/{orgId}/providers', {
          params: { path: { orgId } },
          body: {
            name: name.trim(),
            preset: presetId as PresetId,
            ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
            ...(apiKey.trim() ? { apiKey: apiKey.trim() } : {}),
          },
        }),
      ),
    onSuccess: (p) => {
      setName('');
      setBaseUrl('');
      setApiKey('');
      toast(t('providers.created', { name: p.name }));
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'providers'] });
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'models'] });
      void qc.invalidateQueries({ queryKey: ['org', orgId, 'audit'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} className="form">
      <SelectField
        label={t('providers.preset')}
        value={presetId}
        onChange={(e) => setPresetId(e.target.value)}
        options={presets.map((p) => ({ value: p.id, label: presetLabel(p.id, p.label) }))}
      />
      <TextField
        label={t('providers.name')}
        hint={t('providers.nameHint')}
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label={t('providers.baseUrl')}
        type="url"
        required={!preset?.baseUrl}
        placeholder={preset?.baseUrl ?? 'http://127.0.0.1:8080/v1'}
        hint={
          preset?.baseUrl
            ? `${t('providers.baseUrlHint')} ${t('providers.baseUrlDefault', { url: preset.baseUrl })}`
            : t('providers.baseUrlHint')
        }
        value={baseUrl}
        onChange={(e) => setBaseUrl(e.target.value)}
      />
      <TextField
        label={t('providers.apiKey')}
        type="password"
        autoComplete="off"
        required={preset?.requiresKey ?? false}
        hint={preset?.requiresKey ? t('providers.apiKeyHint') : t('providers.apiKeyOptional')}
        value={apiKey}
        onChange={(e) => setApiKey(e.target.value)}
      />
      {create.error ? <ErrorState error={create.error} /> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
          {t('providers.add')}
        </button>
      </div>
    </form>
  );
}
