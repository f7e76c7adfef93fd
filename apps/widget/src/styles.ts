/**
 * The widget's only CSS, inside its shadow root. `all: initial !important` on the host cuts every property the
 * page could make it inherit (an `!important` rule inside the shadow beats the page's own `!important` rules
 * on the host); page selectors never match shadow content. Colours are variables on .root, which no page
 * rule can reach; light/dark follows prefers-color-scheme, the accent comes from data-color.
 */
export const CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;z-index:2147483000!important;bottom:20px!important;right:20px!important;left:auto!important;top:auto!important}
:host([data-position=left]){right:auto!important;left:20px!important}
*,*::before,*::after{box-sizing:border-box;margin:0;padding:0}
.root{--a:#2563eb;--on-a:#fff;--bg:#fff;--fg:#111827;--mu:#6b7280;--bd:#e5e7eb;--bot:#f3f4f6;--sh:0 10px 36px rgba(15,23,42,.2);display:flex;flex-direction:column;align-items:flex-end;gap:12px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);text-align:left;-webkit-font-smoothing:antialiased}
:host([data-position=left]) .root{align-items:flex-start}
@media (prefers-color-scheme:dark){.root{--bg:#111827;--fg:#f3f4f6;--mu:#9ca3af;--bd:#374151;--bot:#1f2937;--sh:0 10px 36px rgba(0,0,0,.55)}}
button,textarea{font:inherit;color:inherit;letter-spacing:inherit}
button{cursor:pointer;border:0;background:none;display:grid;place-items:center}
button:disabled{cursor:not-allowed;opacity:.45}
svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
:focus-visible{outline:2px solid var(--a);outline-offset:2px}
.bubble{width:56px;height:56px;border-radius:50%;background:var(--a);color:var(--on-a);box-shadow:var(--sh)}
.bubble svg{width:26px;height:26px}
.panel{display:flex;flex-direction:column;width:min(380px,calc(100vw - 24px));height:min(560px,calc(100vh - 110px));background:var(--bg);border:1px solid var(--bd);border-radius:16px;box-shadow:var(--sh);overflow:hidden}
.panel[hidden]{display:none}
.head{display:flex;align-items:center;gap:8px;padding:12px 10px 12px 16px;background:var(--a);color:var(--on-a)}
.title{flex:1;min-width:0}
.name{font-weight:600;font-size:15px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:12px;line-height:17px;opacity:.85;min-height:17px}
.close{width:34px;height:34px;border-radius:8px}
.close:hover{background:rgba(127,127,127,.25)}
.close:focus-visible{outline-color:var(--on-a);outline-offset:-3px}
.log{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:10px;background:var(--bg)}
.msg{max-width:85%;padding:8px 12px;border-radius:14px;overflow-wrap:anywhere}
.md p{white-space:pre-wrap}
.bot{align-self:flex-start;background:var(--bot);border-bottom-left-radius:4px}
.me{align-self:flex-end;background:var(--a);color:var(--on-a);border-bottom-right-radius:4px}
.failed{color:var(--mu);font-style:italic}
.me .md{white-space:pre-wrap}
.md>*+*{margin-top:6px}
.md ul,.md ol{padding-left:20px}
.md blockquote{border-left:3px solid var(--a);padding-left:8px;white-space:pre-wrap}
.md code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:rgba(127,127,127,.18);border-radius:4px;padding:1px 4px}
.md pre{overflow-x:auto;background:rgba(127,127,127,.18);border-radius:8px;padding:8px}
.md pre code{background:none;padding:0}
.md a{color:inherit;text-decoration:underline}
.dots{display:inline-flex;gap:4px;padding:4px 0}
.dots i{width:6px;height:6px;border-radius:50%;background:var(--mu);animation:kw 1s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes kw{0%,80%,100%{opacity:.25}40%{opacity:1}}
.cites{list-style:none;margin-top:8px;padding-top:6px;border-top:1px solid var(--bd);font-size:12px;line-height:1.35;color:var(--mu);display:grid;gap:6px;white-space:normal}
.cites b{color:var(--fg);font-weight:600}
.cites q{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;font-style:italic}
.notice{padding:8px 16px 8px 13px;font-size:13px;background:var(--bot);border-top:1px solid var(--bd);border-left:3px solid var(--a)}
.notice:empty{display:none}
.form{display:flex;align-items:flex-end;gap:8px;padding:10px;border-top:1px solid var(--bd);background:var(--bg)}
textarea{flex:1;resize:none;min-height:38px;max-height:120px;padding:8px 10px;border:1px solid var(--bd);border-radius:10px;background:var(--bg);color:var(--fg);line-height:1.4;outline:none}
textarea::placeholder{color:var(--mu);opacity:1}
textarea:focus{border-color:var(--a);box-shadow:0 0 0 1px var(--a)}
textarea:disabled{opacity:.6;cursor:not-allowed}
.send{flex:none;width:38px;height:38px;border-radius:10px;background:var(--a);color:var(--on-a)}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (prefers-reduced-motion:reduce){*{animation:none!important}}
`;
