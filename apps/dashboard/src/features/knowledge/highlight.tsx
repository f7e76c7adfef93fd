/**
 * The search API returns `highlight`: the hit's text HTML-escaped with matched words in <mark>. Rather than
 * trusting it as HTML, it is split into plain segments and rendered as React text (escaping is React's job).
 */
export interface Segment {
  text: string;
  mark: boolean;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function unescapeHtml(s: string): string {
  return s.replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (all, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : all;
    }
    return NAMED[ent.toLowerCase()] ?? all;
  });
}

export function parseHighlight(html: string): Segment[] {
  const out: Segment[] = [];
  let mark = false;
  for (const part of html.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>') mark = true;
    else if (part === '</mark>') mark = false;
    else if (part) out.push({ text: unescapeHtml(part), mark });
  }
  return out;
}

/**
 * A window of about `max` characters around the first match, so long chunks read as a snippet. Cut ends get
 * an ellipsis.
 */
export function snippet(segments: Segment[], max = 320): Segment[] {
  const total = segments.reduce((n, s) => n + s.text.length, 0);
  if (total <= max) return segments;
  let firstMark = 0;
  let pos = 0;
  for (const s of segments) {
    if (s.mark) {
      firstMark = pos;
      break;
    }
    pos += s.text.length;
  }
  const start = Math.max(0, Math.min(firstMark - Math.floor(max / 4), total - max));
  const end = start + max;
  const out: Segment[] = [];
  pos = 0;
  for (const s of segments) {
    const a = pos;
    const b = pos + s.text.length;
    pos = b;
    if (b <= start || a >= end) continue;
    out.push({ text: s.text.slice(Math.max(0, start - a), Math.min(s.text.length, end - a)), mark: s.mark });
  }
  if (start > 0 && out[0]) out[0] = { ...out[0], text: `…${out[0].text.replace(/^\S*\s/, '')}` };
  const last = out[out.length - 1];
  if (end < total && last) out[out.length - 1] = { ...last, text: `${last.text.replace(/\s\S*$/, '')}…` };
  return out;
}

export function Highlighted({ html, max }: { html: string; max?: number }) {
  const segs = snippet(parseHighlight(html), max);
  return <>{segs.map((s, i) => (s.mark ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}</>;
}
