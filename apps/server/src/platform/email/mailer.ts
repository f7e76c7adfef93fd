import nodemailer from 'nodemailer';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/database.ts';
import { emailOutbox } from '../db/schema.ts';
import { newId } from '../ids.ts';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  kind: string; // verify_email, reset_password, invitation…
}

export interface Mailer {
  /** Stores the message in the outbox and, with SMTP configured, delivers it. Never throws on delivery. */
  send(mail: OutgoingEmail): Promise<{ id: string; status: 'stored' | 'sent' | 'failed' }>;
  close(): void;
}

/**
 * Every message is first written to email_outbox (so nothing is lost and operators can see what was sent);
 * with SMTP_URL it is then handed to nodemailer and the row marked sent or failed with the reason.
 * Without SMTP the outbox is the delivery: platform admins read it at GET /api/v1/admin/outbox.
 */
export function createMailer(deps: {
  db: Db;
  smtpUrl?: string;
  from: string;
  log: FastifyBaseLogger;
}): Mailer {
  const transport = deps.smtpUrl ? nodemailer.createTransport(deps.smtpUrl) : null;
  return {
    async send(mail) {
      const id = newId('email');
      await deps.db.insert(emailOutbox).values({
        id,
        toAddress: mail.to,
        subject: mail.subject,
        textBody: mail.text,
        kind: mail.kind,
        status: 'stored',
      });
      if (!transport) return { id, status: 'stored' };
      try {
        await transport.sendMail({ from: deps.from, to: mail.to, subject: mail.subject, text: mail.text });
        await deps.db
          .update(emailOutbox)
          .set({ status: 'sent', sentAt: new Date() })
          .where(eq(emailOutbox.id, id));
        return { id, status: 'sent' };
      } catch (err) {
        deps.log.warn({ err, to: mail.to, kind: mail.kind }, 'email delivery failed');
        await deps.db
          .update(emailOutbox)
          .set({ status: 'failed', error: err instanceof Error ? err.message : String(err) })
          .where(eq(emailOutbox.id, id));
        return { id, status: 'failed' };
      }
    },
    close() {
      transport?.close();
    },
  };
}
