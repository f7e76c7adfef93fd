import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { getSession, onSessionChange, setSession } from '../api/session';
import { useI18n } from '../i18n/i18n';
import { useTheme } from '../theme/theme';

type MeResponse = Awaited<ReturnType<typeof fetchMe>>;
export type Me = MeResponse;

async function fetchMe() {
  return call(api.GET('/api/v1/auth/me'));
}

interface Auth {
  signedIn: boolean;
  me: Me | undefined;
  loading: boolean;
  signOut: () => Promise<void>;
}
const Ctx = createContext<Auth | null>(null);

/** Who is signed in. Their stored preferences (language, theme) take over as soon as /auth/me answers. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [signedIn, setSignedIn] = useState(() => getSession() !== null);
  const qc = useQueryClient();
  const { setLang } = useI18n();
  const { setChoice } = useTheme();
  useEffect(
    () =>
      onSessionChange((s) => {
        setSignedIn(s !== null);
        if (!s) qc.clear();
      }),
    [qc],
  );
  const me = useQuery({ queryKey: ['me'], queryFn: fetchMe, enabled: signedIn, staleTime: 60_000 });
  const prefs = me.data?.preferences;
  useEffect(() => {
    if (!prefs) return;
    setLang(prefs.language);
    setChoice(prefs.theme);
  }, [prefs?.language, prefs?.theme]);

  const signOut = async () => {
    const s = getSession();
    if (s) await api.POST('/api/v1/auth/logout', { body: { refreshToken: s.refreshToken } }).catch(() => {});
    setSession(null);
  };
  return (
    <Ctx.Provider value={{ signedIn, me: me.data, loading: signedIn && me.isPending, signOut }}>
      {children}
    </Ctx.Provider>
  );
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
