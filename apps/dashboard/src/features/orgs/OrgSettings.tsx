import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { Ok } from '../../api/types';
import { LAST_ORG } from '../../app/orgs';
import { useI18n } from '../../i18n/i18n';
import { ConfirmDialog } from '../../ui/dialog';
import { TextField } from '../../ui/forms';
import { ErrorState, Loading } from '../../ui/states';
import { useToast } from '../../ui/toast';
import { useOrgAccess, useRoleLabel } from './access';
import { CreateOrgForm } from './CreateOrgForm';
import './orgs.css';

type Org = Ok<'/api/v1/orgs/{orgId}', 'get'>;
type OrgList = Ok<'/api/v1/orgs', 'get'>;

/** /orgs/:orgId/settings: details, a new organization, leaving, and (owners) deleting. */
export function OrgSettings() {
  const { t } = useI18n();
  const access = useOrgAccess();
  const { orgId } = access;
  const org = useQuery({
    queryKey: ['org', orgId, 'detail'],
    queryFn: () => call(api.GET('/api/v1/orgs/{orgId}', { params: { path: { orgId } } })),
    enabled: orgId !== '',
  });
  return (
    <section className="page orgs-page">
      <div className="page-header">
        <h1>{t('orgs.settings.title')}</h1>
      </div>
      <div className="orgs-sections">
        <section className="card" aria-labelledby="org-details">
          <h2 id="org-details">{t('orgs.settings.details')}</h2>
          {org.isPending || access.loading ? (
            <Loading />
          ) : org.error ? (
            <ErrorState error={org.error} onRetry={() => void org.refetch()} />
          ) : access.atLeast('admin') ? (
            <DetailsForm key={org.data.updatedAt} org={org.data} />
          ) : (
            <DetailsView org={org.data} />
          )}
        </section>
        <section className="card" aria-labelledby="org-create">
          <h2 id="org-create">{t('orgs.create.title')}</h2>
          <CreateOrgForm />
        </section>
        {org.data && access.org ? <LeaveCard org={org.data} /> : null}
        {org.data && access.atLeast('owner') ? <DeleteCard org={org.data} /> : null}
      </div>
    </section>
  );
}

function DetailsView({ org }: { org: Org }) {
  const { t, formatDate } = useI18n();
  const access = useOrgAccess();
  const label = useRoleLabel();
  return (
    <>
      <dl className="orgs-facts">
        <dt>{t('orgs.settings.name')}</dt>
        <dd>{org.name}</dd>
        <dt>{t('orgs.settings.slug')}</dt>
        <dd>
          <code>{org.slug}</code>
        </dd>
        <dt>{t('orgs.settings.contactEmail')}</dt>
        <dd>{org.contactEmail ?? <span className="muted">{t('orgs.settings.none')}</span>}</dd>
        <dt>{t('orgs.settings.created')}</dt>
        <dd>{formatDate(org.createdAt)}</dd>
        {access.role ? (
          <>
            <dt>{t('orgs.role')}</dt>
            <dd>{label(access.role)}</dd>
          </>
        ) : null}
      </dl>
      <p className="muted small">{t('orgs.adminOnly')}</p>
    </>
  );
}

function DetailsForm({ org }: { org: Org }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(org.name);
  const [contactEmail, setContactEmail] = useState(org.contactEmail ?? '');
  const save = useMutation({
    mutationFn: () =>
      call(
        api.PATCH('/api/v1/orgs/{orgId}', {
          params: { path: { orgId: org.id } },
          body: { name: name.trim(), contactEmail: contactEmail.trim() || null },
        }),
      ),
    onSuccess: (r) => {
      qc.setQueryData(['org', org.id, 'detail'], r);
      void qc.invalidateQueries({ queryKey: ['orgs'] });
      void qc.invalidateQueries({ queryKey: ['me'] });
      toast(t('state.saved'));
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} className="form">
      <TextField
        label={t('orgs.settings.name')}
        required
        maxLength={100}
        value={name}
        onChange={(e) => setName(e.target.value)}
      />
      <TextField
        label={t('orgs.settings.slug')}
        readOnly
        value={org.slug}
        hint={t('orgs.settings.slugHint')}
      />
      <TextField
        label={t('orgs.settings.contactEmail')}
        type="email"
        hint={t('orgs.settings.contactEmailHint')}
        value={contactEmail}
        onChange={(e) => setContactEmail(e.target.value)}
      />
      {save.error ? <ErrorState error={save.error} /> : null}
      <div>
        <button type="submit" className="btn btn-primary" disabled={save.isPending || !name.trim()}>
          {save.isPending ? t('action.saving') : t('action.save')}
        </button>
      </div>
    </form>
  );
}

/**
 * After leaving or deleting, the org is gone from this user's list. Drop it from the cached list first, so
 * the home redirect cannot pick it, then leave its pages and reload the lists. Its own cached queries are
 * left to expire: removing them while the page is still mounted would refetch them (a 404).
 */
function useLeaveOrg(orgId: string) {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return () => {
    if (localStorage.getItem(LAST_ORG) === orgId) localStorage.removeItem(LAST_ORG);
    qc.setQueryData<OrgList>(
      ['orgs'],
      (old) => old && { ...old, data: old.data.filter((o) => o.id !== orgId) },
    );
    navigate('/', { replace: true });
    void qc.invalidateQueries({ queryKey: ['orgs'] });
    void qc.invalidateQueries({ queryKey: ['me'] });
  };
}

function LeaveCard({ org }: { org: Org }) {
  const { t } = useI18n();
  const toast = useToast();
  const gone = useLeaveOrg(org.id);
  const [open, setOpen] = useState(false);
  const leave = useMutation({
    mutationFn: () => call(api.POST('/api/v1/orgs/{orgId}/leave', { params: { path: { orgId: org.id } } })),
    onSuccess: () => {
      setOpen(false);
      toast(t('orgs.leave.done', { name: org.name }));
      gone();
    },
    onError: () => setOpen(false),
  });
  return (
    <section className="card" aria-labelledby="org-leave">
      <h2 id="org-leave">{t('orgs.leave.title')}</h2>
      <p className="muted">{t('orgs.leave.intro')}</p>
      {leave.error ? <ErrorState error={leave.error} /> : null}
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        {t('orgs.leave.button')}
      </button>
      <ConfirmDialog
        open={open}
        message={t('orgs.leave.confirm', { name: org.name })}
        confirmLabel={t('orgs.leave.button')}
        busy={leave.isPending}
        onConfirm={() => leave.mutate()}
        onCancel={() => setOpen(false)}
      />
    </section>
  );
}

function DeleteCard({ org }: { org: Org }) {
  const { t } = useI18n();
  const toast = useToast();
  const gone = useLeaveOrg(org.id);
  const [open, setOpen] = useState(false);
  const remove = useMutation({
    mutationFn: () => call(api.DELETE('/api/v1/orgs/{orgId}', { params: { path: { orgId: org.id } } })),
    onSuccess: () => {
      setOpen(false);
      toast(t('orgs.delete.done', { name: org.name }));
      gone();
    },
    onError: () => setOpen(false),
  });
  return (
    <section className="card orgs-danger" aria-labelledby="org-delete">
      <h2 id="org-delete">{t('orgs.delete.title')}</h2>
      <p className="muted">{t('orgs.delete.intro')}</p>
      {remove.error ? <ErrorState error={remove.error} /> : null}
      <button type="button" className="btn btn-danger" onClick={() => setOpen(true)}>
        {t('orgs.delete.button')}
      </button>
      <ConfirmDialog
        open={open}
        message={t('orgs.delete.confirm', { name: org.name })}
        confirmLabel={t('orgs.delete.button')}
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onCancel={() => setOpen(false)}
      />
    </section>
  );
}
