import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { useToast } from '../../ui/toast';

/** Creates an organization (the user becomes its owner) and goes there. */
export function CreateOrgForm() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [name, setName] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const create = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/orgs', {
          body: { name: name.trim(), ...(contactEmail.trim() ? { contactEmail: contactEmail.trim() } : {}) },
        }),
      ),
    onSuccess: async (org) => {
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['orgs'] }),
        qc.invalidateQueries({ queryKey: ['me'] }),
      ]);
      toast(t('orgs.create.done', { name: org.name }));
      navigate(`/orgs/${org.id}/chatbots`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} className="form">
      <p className="muted">{t('orgs.create.intro')}</p>
      <TextField
        label={t('orgs.settings.name')}
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label={t('orgs.settings.contactEmail')}
        type="email"
        hint={t('orgs.settings.contactEmailHint')}
        value={contactEmail}
        onChange={(e) => setContactEmail(e.target.value)}
      />
      {create.error ? <ErrorState error={create.error} /> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
          {t('orgs.create.submit')}
        </button>
      </div>
    </form>
  );
}
