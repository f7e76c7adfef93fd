import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { useI18n } from '../../i18n/i18n';
import { TextField } from '../../ui/forms';
import { ErrorState } from '../../ui/states';
import { AuthCard } from './AuthCard';
import './account.css';

/** Asks for a reset link. The answer is the same whether or not the account exists (no email probing). */
export function ForgotPassword() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const send = useMutation({
    mutationFn: (address: string) =>
      call(api.POST('/api/v1/auth/forgot-password', { body: { email: address } })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    send.mutate(email.trim());
  };
  return (
    <AuthCard title={t('auth.forgotTitle')}>
      {send.isSuccess ? (
        <p role="status" className="auth-notice auth-notice-ok">
          {t('auth.forgotSent', { email: send.variables })}
        </p>
      ) : (
        <form onSubmit={submit} className="form">
          <p className="muted">{t('auth.forgotIntro')}</p>
          <TextField
            label={t('auth.email')}
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          {send.error ? <ErrorState error={send.error} /> : null}
          <button type="submit" className="btn btn-primary" disabled={send.isPending}>
            {t('auth.sendResetLink')}
          </button>
        </form>
      )}
      <p>
        <Link to="/signin">{t('auth.backToSignIn')}</Link>
      </p>
    </AuthCard>
  );
}
