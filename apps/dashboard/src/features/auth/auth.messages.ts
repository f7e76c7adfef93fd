import { defineMessages } from '../../i18n/define';

export const authMessages = defineMessages({
  en: {
    'auth.signIn': 'Sign in',
    'auth.signUp': 'Create account',
    'auth.email': 'Email',
    'auth.password': 'Password',
    'auth.name': 'Your name',
    'auth.orgName': 'Organization name',
    'auth.orgNameHint': 'You can rename it later.',
    'auth.passwordHint': 'At least 8 characters.',
    'auth.noAccount': 'New to Kawan?',
    'auth.haveAccount': 'Already have an account?',
    'auth.forgot': 'Forgot password?',
    'auth.tagline': 'AI assistants grounded in your own documents.',
  },
  id: {
    'auth.signIn': 'Masuk',
    'auth.signUp': 'Buat akun',
    'auth.email': 'Email',
    'auth.password': 'Kata sandi',
    'auth.name': 'Nama Anda',
    'auth.orgName': 'Nama organisasi',
    'auth.orgNameHint': 'Anda dapat menggantinya nanti.',
    'auth.passwordHint': 'Minimal 8 karakter.',
    'auth.noAccount': 'Baru di Kawan?',
    'auth.haveAccount': 'Sudah punya akun?',
    'auth.forgot': 'Lupa kata sandi?',
    'auth.tagline': 'Asisten AI yang berpijak pada dokumen Anda sendiri.',
  },
});
