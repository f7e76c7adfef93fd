import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { setSession } from '../../api/session';
import { useI18n } from '../../i18n/i18n';
import { TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { AuthCard } from './AuthCard';
import { safeNext, withNext } from './SignIn';

export function SignUp() {
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const [form, setForm] = useState({ name: '', email: '', password: '', orgName: '' });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const register = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/v1/auth/register', {
          body: { ...form, orgName: form.orgName || undefined, language: lang },
        }),
      ),
    onSuccess: (r) => {
      setSession(r.session);
      navigate(next ? safeNext(next) : `/orgs/${r.organization.id}/chatbots`, { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    register.mutate();
  };
  return (
    <AuthCard title={t('auth.signUp')}>
      <form onSubmit={submit} className="form">
        <TextField
          label={t('auth.name')}
          autoComplete="name"
          required
          value={form.name}
          onChange={set('name')}
        />
        <TextField
          label={t('auth.email')}
          type="email"
          autoComplete="email"
          required
          value={form.email}
          onChange={set('email')}
        />
        <TextField
          label={t('auth.password')}
          type="password"
          autoComplete="new-password"
          minLength={8}
          required
          hint={t('auth.passwordHint')}
          value={form.password}
          onChange={set('password')}
        />
        <TextField
          label={t('auth.orgName')}
          hint={t('auth.orgNameHint')}
          value={form.orgName}
          onChange={set('orgName')}
        />
        {register.error ? <ErrorState error={register.error} /> : null}
        <button type="submit" className="btn btn-primary" disabled={register.isPending}>
          {t('auth.signUp')}
        </button>
      </form>
      <p>
        {t('auth.haveAccount')} <Link to={withNext('/signin', next)}>{t('auth.signIn')}</Link>
      </p>
    </AuthCard>
  );
}
