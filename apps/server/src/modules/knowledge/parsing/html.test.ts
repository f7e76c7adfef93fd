import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from './parse-document.ts';
import { htmlToMarkdown } from './html.ts';

const page = `<!doctype html>
<html lang="id">
<head><title>Toko Kawan — Bantuan</title><style>.x{color:red}</style><script>trackVisitor()</script></head>
<body>
  <header class="site-header"><a href="/">Toko Kawan logo</a>
    <nav><ul><li><a href="/promo">Promo Spesial Menu</a></li><li><a href="/akun">Akun Saya Menu</a></li></ul></nav>
  </header>
  <aside>Sidebar: Produk terlaris minggu ini</aside>
  <main>
    <article>
      <h1>Cara mengembalikan barang</h1>
      <p>Barang yang rusak saat diterima dapat dikembalikan dalam waktu tujuh hari. Simpan kotak dan nota
         pembelian Anda, lalu hubungi layanan pelanggan melalui halaman <a href="/kontak">kontak</a>.</p>
      <h2>Langkah-langkah</h2>
      <ol><li>Foto barang yang rusak.</li><li>Isi formulir pengembalian.</li><li>Kirim barang dengan kurir pilihan.</li></ol>
      <p>Dana akan dikembalikan ke metode pembayaran semula dalam tiga hari kerja setelah barang kami terima.</p>
      <table><tr><th>Kurir</th><th>Biaya</th></tr><tr><td>JNE</td><td>Gratis</td></tr></table>
      <img src="data:image/png;base64,AAAA" alt="Contoh nota">
    </article>
  </main>
  <footer>© 2024 Toko Kawan. Kebijakan privasi. Syarat footer.</footer>
</body></html>`;

describe('HTML', () => {
  it('keeps the article as Markdown and drops nav, header, aside, footer and scripts', async () => {
    const doc = await parseDocument(new TextEncoder().encode(page), { filename: 'bantuan.html' });
    assert.equal(doc.kind, 'html');
    assert.equal(doc.title, 'Toko Kawan — Bantuan');
    const text = doc.pages[0]!.text;
    assert.match(text, /^#+ Cara mengembalikan barang$/m);
    assert.match(text, /^#+ Langkah-langkah$/m);
    assert.match(text, /dapat dikembalikan dalam waktu tujuh hari/);
    assert.match(text, /Isi formulir pengembalian/);
    assert.match(text, /dalam tiga hari kerja/);
    assert.match(text, /\| JNE \| Gratis \|/);
    assert.match(text, /halaman kontak\./, 'link text kept, URL dropped');
    for (const noise of [
      'Promo Spesial',
      'Akun Saya',
      'Sidebar',
      'Syarat footer',
      'trackVisitor',
      'color:red',
      'base64',
    ]) {
      assert.ok(!text.includes(noise), `"${noise}" should be gone: ${text}`);
    }
  });

  it('falls back to the whole body when there is no article-like content', async () => {
    const html = '<html><body><nav>Menu</nav><p>Jam buka: 09.00–17.00.</p></body></html>';
    const doc = await parseDocument(new TextEncoder().encode(html), { filename: 'jam.htm' });
    assert.equal(doc.pages[0]!.text, 'Jam buka: 09.00–17.00.');
  });

  it('converts fragments without escaping Markdown characters', () => {
    assert.equal(htmlToMarkdown('<h2>a_b *c*</h2><p>1. not a list</p>'), '## a_b *c*\n\n1. not a list');
  });
});
