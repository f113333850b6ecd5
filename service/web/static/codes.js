// Names instead of codes, Chinese labels instead of engine words, and a type-ahead code picker.
// Everything comes from the server (GET /api/reference/labels, /api/reference/{industries,fields}),
// the same tables the public pages use (service/reference/names.py and labels.py).

const LABELS_URL = '/api/reference/labels';
let labels = null;
const labelsReady = fetch(LABELS_URL).then((r) => (r.ok ? r.json() : {})).then((x) => { labels = x; })
  .catch(() => { labels = {}; });

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

// The Chinese label of an engine word (``component``/``text`` → 文本相关); the word itself
// only until the labels have loaded (then every span made by labelSpan is rewritten).
export function label(group, key) {
  const entry = labels && labels[group] && labels[group][key];
  return entry ? entry.label : key;
}

export function hint(group, key) {
  const entry = labels && labels[group] && labels[group][key];
  return entry ? entry.hint : '';
}

// A span showing the label, its explanation on hover; ``suffix`` follows the label (a value).
export function labelSpan(group, key, suffix = '', cls = 'label') {
  const span = el('span', { class: cls, 'data-group': group, 'data-key': key });
  const draw = () => {
    span.textContent = `${label(group, key)}${suffix}`;
    const h = hint(group, key);
    if (h) span.title = h;
  };
  draw();
  if (!labels) labelsReady.then(draw);
  return span;
}

export const ready = labelsReady;

// --- code names ------------------------------------------------------------------------------

const KIND_URL = { industry: '/api/reference/industries', field: '/api/reference/fields' };
const names = { industry: new Map(), field: new Map() };
const pending = { industry: new Map(), field: new Map() };
let batch = { industry: new Set(), field: new Set() };
let timer = null;

function flush() {
  timer = null;
  const current = batch;
  batch = { industry: new Set(), field: new Set() };
  for (const kind of ['industry', 'field']) {
    const codes = [...current[kind]];
    for (let i = 0; i < codes.length; i += 50) {
      const chunk = codes.slice(i, i + 50);
      fetch(`${KIND_URL[kind]}?codes=${encodeURIComponent(chunk.join(','))}`)
        .then((r) => (r.ok ? r.json() : []))
        .catch(() => [])
        .then((found) => {
          for (const n of found) names[kind].set(n.code, n);
          for (const code of chunk) {
            const resolve = pending[kind].get(code);
            pending[kind].delete(code);
            if (resolve) resolve(names[kind].get(code) || null);
          }
        });
    }
  }
}

// The {code, name, full} of a code, fetched in batches and cached; null when unknown.
export function codeName(kind, code) {
  if (names[kind].has(code)) return Promise.resolve(names[kind].get(code));
  if (!pending[kind].has(code)) {
    let resolve;
    const p = new Promise((r) => { resolve = r; });
    pending[kind].set(code, resolve);
    pending[kind].set(`p:${code}`, p);
    batch[kind].add(code);
    if (!timer) timer = setTimeout(flush, 0);
  }
  return pending[kind].get(`p:${code}`) || Promise.resolve(names[kind].get(code) || null);
}

// A span that shows a code's Chinese name (the code and its parents on hover).
export function codeSpan(kind, code, cls = 'code-name') {
  const raw = String(code);
  const inferred = raw.endsWith('(推断)');
  const bare = inferred ? raw.slice(0, -4) : raw;
  const span = el('span', { class: cls, title: bare }, bare);
  codeName(kind, bare).then((n) => {
    if (!n) return;
    span.textContent = `${n.name}${inferred ? '（推断）' : ''}`;
    span.title = `${n.code}：${n.full}`;
  });
  return span;
}

// A matched research-field term: a code (B06, B06(推断)) by its name; a crosswalk link
// ("NSFC E01 ↔ 材料科学与工程", "行业 31 ↔ 冶金工程") by the name of the code it starts from;
// discipline terms ("学科：材料科学与工程（推断 0.72）") are words already. Same rule as
// service.reference.names.matched_field_term for exports and public pages.
export function fieldTermSpan(term) {
  const m = /^(NSFC|行业|专业|学科) ([0-9A-Za-z]+) ↔ (.+)$/.exec(String(term));
  if (!m) return String(term).includes('：') ? el('span', {}, String(term)) : codeSpan('field', term);
  const [, kind, code, target] = m;
  if (kind === '学科') return el('span', {}, target);
  if (kind === '专业') return el('span', {}, `专业 ${code} ↔ ${target}`);
  return el('span', {}, codeSpan(kind === 'NSFC' ? 'field' : 'industry', code), ` ↔ ${target}`);
}

// --- type-ahead picker ------------------------------------------------------------------------

// Turns a comma-separated code input into a picker: typing a name or a code prefix lists matches
// (name first, code on the side); choosing one appends its code. Below the input the chosen codes
// are shown by name. Without JavaScript (or on failure) the plain input still works.
export function attachPicker(input, kind) {
  const listId = `${input.id}-list`;
  const box = el('div', { class: 'picker' });
  const search = el('input', { type: 'search', class: 'picker-search', placeholder: kind === 'field'
    ? '输入学科名称或代码查找，如 催化' : '输入行业名称或代码查找，如 钢压延',
  'aria-label': kind === 'field' ? '查找学科' : '查找行业', 'aria-controls': listId, autocomplete: 'off' });
  const list = el('ul', { class: 'picker-list', id: listId, role: 'listbox', hidden: true });
  const chosen = el('div', { class: 'picker-chosen' });
  box.append(search, list, chosen);
  input.after(box);

  const codes = () => input.value.split(/[,，、;；\s]+/).map((x) => x.trim()).filter(Boolean);
  function drawChosen() {
    chosen.replaceChildren(...codes().map((c) => {
      const remove = el('button', { type: 'button', class: 'small secondary', 'aria-label': `移除 ${c}` }, '×');
      remove.addEventListener('click', () => {
        input.value = codes().filter((x) => x !== c).join('，');
        drawChosen();
      });
      return el('span', { class: 'chip' }, codeSpan(kind, c), ' ', remove);
    }));
  }
  let seq = 0;
  async function lookup() {
    const q = search.value.trim();
    const mine = ++seq;
    if (!q) { list.hidden = true; return; }
    let found = [];
    try {
      const r = await fetch(`${KIND_URL[kind]}?q=${encodeURIComponent(q)}&limit=12`);
      found = r.ok ? await r.json() : [];
    } catch { found = []; }
    if (mine !== seq) return;
    list.replaceChildren(...found.map((n) => {
      names[kind].set(n.code, n);
      const item = el('li', { role: 'option', tabindex: '-1', 'data-code': n.code, title: n.full },
        el('span', {}, n.name), ' ', el('small', { class: 'muted' }, `${n.level} · ${n.full}`));
      item.addEventListener('mousedown', (ev) => { ev.preventDefault(); choose(n.code); });
      return item;
    }));
    list.hidden = !found.length;
  }
  function choose(code) {
    const now = codes();
    if (!now.includes(code)) now.push(code);
    input.value = now.join('，');
    search.value = '';
    list.hidden = true;
    drawChosen();
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
  search.addEventListener('input', lookup);
  search.addEventListener('keydown', (ev) => {
    const items = [...list.querySelectorAll('li')];
    const at = items.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown' && items.length) { ev.preventDefault(); items[Math.min(at + 1, items.length - 1)].focus(); }
    if (ev.key === 'Enter' && items.length) { ev.preventDefault(); choose(items[0].dataset.code); }
    if (ev.key === 'Escape') list.hidden = true;
  });
  list.addEventListener('keydown', (ev) => {
    const items = [...list.querySelectorAll('li')];
    const at = items.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown') { ev.preventDefault(); items[Math.min(at + 1, items.length - 1)].focus(); }
    if (ev.key === 'ArrowUp') { ev.preventDefault(); (at > 0 ? items[at - 1] : search).focus(); }
    if (ev.key === 'Enter' && at >= 0) { ev.preventDefault(); choose(items[at].dataset.code); search.focus(); }
  });
  search.addEventListener('blur', () => setTimeout(() => { list.hidden = true; }, 150));
  // Typing in the plain input, a form's fill() (it sends 'change') and reset() redraw the names.
  input.addEventListener('change', drawChosen);
  input.addEventListener('input', drawChosen);
  if (input.form) input.form.addEventListener('reset', () => setTimeout(drawChosen, 0));
  drawChosen();
  return box;
}

// --- matched terms ----------------------------------------------------------------------------

// The chips for a pair's matched terms: every category labelled, research fields by name.
export function matchedChips(matched, chip) {
  const parts = [];
  for (const [category, terms] of Object.entries(matched || {})) {
    if (!terms || !terms.length) continue;
    parts.push(labelSpan('matched', category, '：', 'muted small'));
    for (const term of terms) {
      parts.push(category === 'fields' ? chip(fieldTermSpan(term), 'hit') : chip(term, 'hit'));
    }
  }
  return parts;
}
