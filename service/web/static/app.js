// Duijie web interface: one shell, one page per path, everything through the JSON API.
import { ApiError, api, clearSession, download, get, patch, post, saveSession, session, upload } from './api.js';
import { applyI18n, lang, setLang, t } from './i18n.js';
import { barsSvg, networkSvg } from './charts.js';
import { myPage } from './challenges.js';
import { contactHref, contactsPage, newContactPage } from './contacts.js';
import { inboxPage, mountHeader } from './inbox.js';
import { approvalsPage, confirmPage, invitePage, myOrganizationPage, registerPage, resetPage } from './register.js';
import { attachPicker, codeName, label, labelSpan, matchedChips } from './codes.js';
import { safeNext } from './nav.js';
import { markWeak, noGoodMatchNote } from './reco_weak.js';

// --- DOM helpers ---------------------------------------------------------------------------

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const main = () => document.getElementById('main');
const params = new URLSearchParams(location.search);
const STATE_NAMES = { draft: '草稿', open: '报名中', matching: '匹配中', review: '待审核',
  published: '已发布', closed: '已结束' };
const RESPONSE_NAMES = { pending: '待答复', accepted: '接受', declined: '婉拒' };
const OUTCOME_NAMES = { none: '未登记', meeting_held: '洽谈已举行', contract_signed: '已签约', hired: '已录用' };
const OUTCOME_FIELDS = [
  { name: 'outcome', label: '对接成果', type: 'select',
    options: [['meeting_held', '洽谈已举行'], ['contract_signed', '已签约'], ['hired', '已录用']] },
  { name: 'contract_amount', label: '合同金额（元）', type: 'int' },
  { name: 'hires', label: '录用人数', type: 'int' },
];
const ROLE_NAMES = { enterprise: '企业', university: '高校/院所', coordinator: '对接专员', admin: '管理员' };
const CITIES = ['太原', '大同', '朔州', '忻州', '阳泉', '吕梁', '晋中', '长治', '晋城', '临汾', '运城', '省外'];
const STATUS_OPTIONS = [['published', '已发布'], ['draft', '草稿'], ['closed', '已关闭']];
const EDU = [['本科', '本科'], ['大专', '大专'], ['硕士', '硕士'], ['博士', '博士']];

function notice(text, kind = '') {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

function errorText(err) {
  if (err instanceof ApiError) {
    const first = err.errors[0];
    return first ? `${err.message}` : err.message;
  }
  return String(err && err.message ? err.message : err);
}

function chip(text, cls = '') {
  return h('span', { class: `chip ${cls}` }, text);
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// The text with every matched term wrapped in <mark>.
function highlight(text, terms) {
  const list = [...new Set(terms.filter((x) => x && x.length))].sort((a, b) => b.length - a.length);
  const span = h('span');
  if (!list.length) {
    span.textContent = text;
    return span;
  }
  const re = new RegExp(`(${list.map(escapeRe).join('|')})`, 'gi');
  for (const part of String(text).split(re)) {
    if (!part) continue;
    const hit = list.some((x) => x.toLowerCase() === part.toLowerCase());
    span.append(hit ? h('mark', {}, part) : document.createTextNode(part));
  }
  return span;
}

function allTerms(matched) {
  return Object.values(matched || {}).flat();
}

function termChips(matched) {
  const terms = allTerms(matched);
  if (!terms.length) return null;
  return h('div', { class: 'terms' }, matchedChips(matched, chip));
}

function needLogin() {
  const next = encodeURIComponent(location.pathname + location.search);
  main().replaceChildren(h('h1', {}, t('需要先登录')),
    h('p', {}, h('a', { class: 'button', href: `/login?next=${next}` }, t('登录'))));
}

// --- forms ---------------------------------------------------------------------------------

// A form from a field list; dotted names (scope.cities) become nested objects. Errors from a
// problem+json body are put at the input their ``field`` names (``keywords.0`` → keywords).
function recordForm(fields, { submitText = '保存', onSubmit, extraActions = [] }) {
  const form = h('form', { class: 'form', novalidate: true });
  const inputs = {};
  for (const f of fields) {
    const id = `f-${Math.random().toString(36).slice(2, 8)}-${f.name.replace(/\W/g, '_')}`;
    let input;
    if (f.type === 'textarea') input = h('textarea', { id, name: f.name, placeholder: f.placeholder });
    else if (f.type === 'select') {
      input = h('select', { id, name: f.name },
        f.options.map(([v, label]) => h('option', { value: v }, t(label))));
    } else if (f.type === 'bool') input = h('input', { id, name: f.name, type: 'checkbox' });
    else {
      const type = f.type === 'int' ? 'number' : f.type === 'date' ? 'date' : 'text';
      input = h('input', { id, name: f.name, type, placeholder: f.placeholder,
        inputmode: f.type === 'int' ? 'numeric' : null });
    }
    inputs[f.name] = input;
    const label = h('label', { for: id }, t(f.label), f.required ? ' *' : '');
    const cls = `field${f.wide || f.type === 'textarea' ? ' wide' : ''}${f.type === 'bool' ? ' check' : ''}`;
    const wrap = f.type === 'bool' ? h('div', { class: cls }, input, label)
      : h('div', { class: cls }, label, input,
        f.type === 'list' ? h('small', { class: 'muted' }, t('多个词用逗号或顿号分隔')) : null);
    wrap.dataset.field = f.name;
    form.append(wrap);
    if (f.picker) attachPicker(input, f.picker);
  }
  const status = h('div', { class: 'form-status wide field' });
  const submit = h('button', { type: 'submit' }, t(submitText));
  form.append(h('div', { class: 'form-actions' }, submit, ...extraActions), status);

  function clearErrors() {
    form.querySelectorAll('.field-error').forEach((e) => e.remove());
    form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
    status.replaceChildren();
  }

  function showErrors(err) {
    clearErrors();
    const loose = [];
    for (const e of err.errors || []) {
      const parts = String(e.field || '').split('.');
      let input = null;
      while (parts.length && !input) {
        input = inputs[parts.join('.')];
        parts.pop();
      }
      if (input) {
        input.classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
        input.closest('.field').append(h('small', { class: 'field-error' }, e.message));
      } else loose.push(`${e.field}：${e.message}`);
    }
    if (!err.errors || !err.errors.length || loose.length) {
      status.append(notice(loose.length ? loose.join('；') : errorText(err), 'error'));
    }
    const first = form.querySelector('.invalid');
    if (first) first.focus();
  }

  function read({ omitEmpty }) {
    const out = {};
    for (const f of fields) {
      const input = inputs[f.name];
      let v;
      if (f.type === 'bool') v = input.checked;
      else if (f.type === 'list') v = input.value.split(/[,，、;；\n]/).map((x) => x.trim()).filter(Boolean);
      else if (f.type === 'int') {
        const raw = input.value.trim();
        v = raw === '' ? null : Number(raw);
      } else if (f.type === 'date') v = input.value || null;
      else v = input.value.trim();
      if (f.nullable && v === '') v = null;
      if (omitEmpty && (v === null || v === '' || (Array.isArray(v) && !v.length))) continue;
      let target = out;
      const path = f.name.split('.');
      for (const p of path.slice(0, -1)) target = target[p] = target[p] || {};
      target[path.at(-1)] = v;
    }
    return out;
  }

  function fill(record) {
    for (const f of fields) {
      const v = f.name.split('.').reduce((o, k) => (o ? o[k] : undefined), record);
      const input = inputs[f.name];
      if (f.type === 'bool') input.checked = !!v;
      else if (f.type === 'list') input.value = (v || []).join('，');
      else input.value = v === null || v === undefined ? '' : v;
      input.dispatchEvent(new Event('change'));
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    submit.disabled = true;
    try {
      await onSubmit(read, { status, showErrors });
    } catch (err) {
      showErrors(err);
    } finally {
      submit.disabled = false;
    }
  });
  return { form, inputs, fill, showErrors, clearErrors, status, reset: () => { form.reset(); clearErrors(); } };
}

// --- field lists -----------------------------------------------------------------------------

const NEED_FIELDS = [
  { name: 'title', label: '标题', required: true, wide: true },
  { name: 'description', label: '描述', type: 'textarea' },
  { name: 'keywords', label: '关键词', type: 'list' },
  { name: 'field_codes', label: '学科代码', type: 'list', placeholder: 'B06', picker: 'field' },
  { name: 'cooperation_modes', label: '合作方式', type: 'list', placeholder: '合作开发' },
  { name: 'budget_min', label: '预算下限（元）', type: 'int' },
  { name: 'budget_max', label: '预算上限（元）', type: 'int' },
  { name: 'deadline', label: '截止日期', type: 'date' },
  { name: 'is_challenge', label: '揭榜挂帅项目', type: 'bool' },
  { name: 'reward', label: '榜单金额（元）', type: 'int' },
  { name: 'status', label: '状态', type: 'select', options: STATUS_OPTIONS },
];
const JOB_FIELDS = [
  { name: 'title', label: '岗位名称', required: true, wide: true },
  { name: 'description', label: '描述', type: 'textarea' },
  { name: 'skills', label: '技能', type: 'list' },
  { name: 'majors', label: '专业', type: 'list' },
  { name: 'min_education', label: '最低学历', type: 'select', options: EDU },
  { name: 'headcount', label: '招聘人数', type: 'int' },
  { name: 'city', label: '城市', type: 'select', options: CITIES.map((c) => [c, c]) },
  { name: 'salary_min', label: '月薪下限', type: 'int' },
  { name: 'salary_max', label: '月薪上限', type: 'int' },
  { name: 'status', label: '状态', type: 'select', options: STATUS_OPTIONS },
];
const CAPABILITY_FIELDS = [
  { name: 'kind', label: '类型', type: 'select',
    options: [['expertise', '专家团队'], ['achievement', '科技成果'], ['equipment', '仪器设备']] },
  { name: 'title', label: '标题', required: true, wide: true },
  { name: 'description', label: '描述', type: 'textarea' },
  { name: 'keywords', label: '关键词', type: 'list' },
  { name: 'field_codes', label: '学科代码', type: 'list', placeholder: 'B06', picker: 'field' },
  { name: 'cooperation_modes', label: '合作方式', type: 'list', placeholder: '合作开发' },
  { name: 'capacity', label: '可承接项目数', type: 'int' },
  { name: 'patent_number', label: '专利号', nullable: true, placeholder: 'ZL202110123456.7' },
  { name: 'contact', label: '联系人', nullable: true },
  { name: 'listing_modes', label: '挂牌转化方式（转让、许可、作价入股）', type: 'list', placeholder: '许可' },
  { name: 'asking_price', label: '挂牌价（元）', type: 'int' },
  { name: 'listing_terms', label: '转化条件', nullable: true },
  { name: 'status', label: '状态', type: 'select', options: STATUS_OPTIONS },
];
const POOL_FIELDS = [
  { name: 'major_name', label: '专业名称', required: true },
  { name: 'major_code', label: '专业代码', nullable: true, placeholder: '080901' },
  { name: 'degree_level', label: '学历层次', type: 'select', options: EDU },
  { name: 'graduation_year', label: '毕业年份', type: 'int' },
  { name: 'graduates', label: '毕业生人数', type: 'int' },
  { name: 'skills', label: '技能', type: 'list' },
  { name: 'city', label: '城市', type: 'select', options: CITIES.map((c) => [c, c]) },
  { name: 'status', label: '状态', type: 'select', options: STATUS_OPTIONS },
];

// --- shared sections -----------------------------------------------------------------------

// Post, list, edit and see recommendations for one resource of the user's organization.
function resourceSection({ path, recoPath, fields, newTitle, listTitle, orgId, titleOf }) {
  const root = h('section', { class: 'resource', 'data-resource': recoPath });
  const list = h('ul', { class: 'list' });
  const heading = h('h2', {}, t(newTitle));
  let editing = null;
  const cancel = h('button', { type: 'button', class: 'secondary', hidden: true,
    onclick: () => { editing = null; f.reset(); heading.textContent = t(newTitle); cancel.hidden = true; } },
  t('取消'));
  const f = recordForm(fields, {
    extraActions: [cancel],
    onSubmit: async (read, { status }) => {
      if (editing) {
        await patch(`${path}/${editing.id}`, read({ omitEmpty: false }));
      } else {
        await post(path, { owner_id: orgId, ...read({ omitEmpty: true }) });
      }
      editing = null;
      cancel.hidden = true;
      heading.textContent = t(newTitle);
      f.reset();
      f.status.append(notice(t('已保存')));
      await refresh();
    },
  });

  async function showReco(item, box) {
    box.replaceChildren(h('p', { class: 'muted' }, '…'));
    try {
      const r = await get(`/api/${recoPath}/${item.id}/recommendations?limit=5`);
      if (!r.items.length) {
        box.replaceChildren(h('p', { class: 'muted' }, t('暂无记录')));
        return;
      }
      box.replaceChildren(...[noGoodMatchNote(r), h('ol', { class: 'reco' }, r.items.map((x) => markWeak(h('li', {},
        h('strong', {}, highlight(x.title, allTerms(x.matched_terms))), ' · ', x.owner_name,
        ' · ', x.city, ' · ', h('span', { class: 'score' }, `${t('得分')} ${x.score.toFixed(3)}`),
        ' ', h('a', { class: 'button small', href: contactHref(recoPath, x.id) }, t('对接')),
        termChips(x.matched_terms)), x)))].filter(Boolean));
    } catch (err) {
      box.replaceChildren(notice(errorText(err), 'error'));
    }
  }

  async function refresh() {
    const page = await get(`${path}?owner=${orgId}&limit=50`);
    list.replaceChildren(...(page.items.length ? page.items.map((item) => {
      const box = h('div', { class: 'reco-box' });
      return h('li', { 'data-id': item.id },
        h('div', { class: 'row spread' },
          h('div', {}, h('strong', {}, titleOf(item)), ' ', chip(t(STATE_NAMES[item.status] || item.status),
            `state-${item.status}`), item.is_challenge ? chip(t('揭榜挂帅'), 'hit') : null,
          item.challenge_review && item.challenge_review !== 'approved' ? chip(t({ pending: '待审核', returned: '已退回' }[item.challenge_review]), 'review') : null),
          h('div', { class: 'row' },
            h('button', { type: 'button', class: 'small secondary', onclick: () => {
              editing = item;
              f.clearErrors();
              f.fill(item);
              heading.textContent = `${t('编辑')}：${titleOf(item)}`;
              cancel.hidden = false;
              f.form.scrollIntoView({ behavior: 'smooth' });
            } }, t('编辑')),
            h('button', { type: 'button', class: 'small', onclick: () => showReco(item, box) }, t('推荐')))),
        box);
    }) : [h('li', { class: 'muted' }, t('暂无记录'))]));
  }
  root.append(heading, f.form, h('h2', {}, t(listTitle)), list);
  refresh().catch((err) => list.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// The pairings of published rounds that involve the user's organization, with answers.
function pairingsSection(orgId) {
  const root = h('section', { class: 'pairings' }, h('h2', {}, t('我的配对')));
  const body = h('div', {}, h('p', { class: 'muted' }, '…'));
  root.append(body, h('p', { class: 'muted small' }, t('双方接受后显示联系方式')));
  async function refresh() {
    // Closed rounds too: outcomes are recorded after a round ends (see also /my).
    const rounds = [...(await get('/api/rounds?state=published&limit=50')).items,
      ...(await get('/api/rounds?state=closed&limit=50')).items];
    const rows = [];
    for (const r of rounds) {
      for (const p of await get(`/api/rounds/${r.id}/pairings`)) rows.push({ round: r, p });
    }
    if (!rows.length) {
      body.replaceChildren(h('p', { class: 'muted' }, t('暂无记录')));
      return;
    }
    body.replaceChildren(h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('对接活动'), t('需求'), t('对方'), t('得分'), t('我方答复'), t('对方答复'), '', t('对接成果')]
        .map((x) => h('th', {}, x)))),
      h('tbody', {}, rows.map(({ round, p }) => {
        const side = p.demand_org_id === orgId ? 'demand' : 'supply';
        const other = side === 'demand' ? 'supply' : 'demand';
        const mine = p[`${side}_response`];
        const theirs = p[`${other}_response`];
        const counterpart = side === 'demand' ? `${p.supply_org_name} · ${p.supply_title}` : p.demand_org_name;
        const contact = p.contacts && p.contacts[other];
        const answer = (response) => async () => {
          try {
            await post(`/api/pairings/${p.id}/respond`, { side, response });
            await refresh();
          } catch (err) {
            body.prepend(notice(errorText(err), 'error'));
          }
        };
        return h('tr', { 'data-pairing': p.id },
          h('td', {}, round.title), h('td', {}, p.demand_title),
          h('td', {}, counterpart, contact ? h('div', { class: 'small' },
            `${t('联系方式')}：${[contact.contact_name, contact.contact_phone].filter(Boolean).join(' ') || contact.name || ''}`) : null),
          h('td', { class: 'score' }, p.score.toFixed(3)),
          h('td', {}, chip(t(RESPONSE_NAMES[mine] || mine), `state-${mine}`)),
          h('td', {}, chip(t(RESPONSE_NAMES[theirs] || theirs), `state-${theirs}`)),
          h('td', {}, h('div', { class: 'row' },
            h('button', { type: 'button', class: 'small', disabled: mine === 'accepted',
              onclick: answer('accepted') }, t('接受')),
            h('button', { type: 'button', class: 'small secondary', disabled: mine === 'declined',
              onclick: answer('declined') }, t('婉拒')))),
          h('td', { class: 'outcome' }, outcomeCell(p, refresh)));
      })))));
  }
  refresh().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// Once both sides have accepted, either side records what came of the pairing.
function outcomeCell(p, refresh) {
  const amount = p.outcome === 'contract_signed' && p.contract_amount !== null
    ? `：${p.contract_amount.toLocaleString()} 元` : '';
  const hires = p.outcome === 'hired' && p.hires ? `：${p.hires} 人` : '';
  const current = chip(`${t(OUTCOME_NAMES[p.outcome] || p.outcome)}${amount}${hires}`, `state-${p.outcome}`);
  if (p.demand_response !== 'accepted' || p.supply_response !== 'accepted') return current;
  const f = recordForm(OUTCOME_FIELDS, {
    submitText: '登记成果',
    onSubmit: async (read) => {
      const body = read({ omitEmpty: true });
      if (body.outcome !== 'contract_signed') delete body.contract_amount;
      if (body.outcome !== 'hired') delete body.hires;
      await post(`/api/pairings/${p.id}/outcome`, body);
      await refresh();
    },
  });
  if (p.outcome !== 'none') f.fill(p);
  return h('div', {}, current, h('details', { class: 'outcome-form' }, h('summary', {}, t('登记成果')), f.form));
}

function tabs(items) {
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const panes = h('div');
  items.forEach(([label, build], i) => {
    const pane = h('div', { role: 'tabpanel', hidden: i !== 0 });
    let built = false;
    const show = () => {
      bar.querySelectorAll('button').forEach((b) => b.classList.remove('active'));
      btn.classList.add('active');
      panes.querySelectorAll('[role=tabpanel]').forEach((p) => { p.hidden = true; });
      pane.hidden = false;
      if (!built) { built = true; pane.append(build()); }
    };
    const btn = h('button', { type: 'button', role: 'tab', onclick: show }, t(label));
    bar.append(btn);
    panes.append(pane);
    if (i === 0) setTimeout(show);
  });
  return h('div', {}, bar, panes);
}

// --- pages ---------------------------------------------------------------------------------

function homePage() {
  const s = session();
  const card = (title, text, href, action) => h('div', { class: 'card start' },
    h('h2', {}, t(title)), h('p', {}, t(text)), h('a', { class: 'button', href }, t(action)));
  main().replaceChildren(
    h('div', { class: 'hero' }, h('h1', {}, t('从这里开始')),
      h('p', {}, t('山西省中小企业与高校、科研院所人才和研发供需对接服务')),
      s && s.user ? h('p', { class: 'muted' }, `${s.user.display_name || s.user.login}（${t(ROLE_NAMES[s.user.role])}）`)
        : h('p', {}, h('a', { href: '/login' }, t('登录')))),
    h('div', { class: 'grid' },
      card('我是企业', '发布研发需求和招聘岗位，查看推荐的科研团队与人才，答复配对。', '/enterprise', '进入企业工作台'),
      card('我是高校或科研院所', '发布科研能力和人才库，查看推荐的需求与岗位，揭榜挂帅，答复配对。', '/university', '进入高校工作台'),
      card('我是对接专员', '创建揭榜挂帅或招聘会活动，运行匹配，审核结果，发布配对并导出。', '/coordinator', '进入对接活动管理'),
      card('Excel 导入', '从 Excel 或 CSV 批量导入，先预览逐行校验结果，再保存。', '/import', 'Excel 导入')));
}

function loginPage() {
  const f = recordForm([
    { name: 'login', label: '用户名', required: true, wide: true },
    { name: 'password', label: '密码', required: true, wide: true },
  ], {
    submitText: '登录',
    onSubmit: async (read) => {
      const body = read({ omitEmpty: false });
      const r = await post('/api/auth/login', { ...body, cookie: true });
      saveSession(r.user);
      const home = { enterprise: '/enterprise', university: '/university' }[r.user.role] || '/coordinator';
      location.href = safeNext(params.get('next'), location.origin) || home;
    },
  });
  f.inputs.password.type = 'password';
  f.inputs.login.autocomplete = 'username';
  f.inputs.password.autocomplete = 'current-password';
  main().replaceChildren(h('h1', {}, t('登录')), h('div', { class: 'card' }, f.form),
    h('p', { class: 'muted small' }, `${t('演示账号')}：duijie serve --demo`));
}

function requireUser(roles) {
  const s = session();
  if (!s || !s.user) {
    needLogin();
    return null;
  }
  if (roles && !roles.includes(s.user.role)) {
    main().replaceChildren(notice(`${t(ROLE_NAMES[s.user.role])}：此页面供${roles.map((r) => t(ROLE_NAMES[r])).join('、')}使用`, 'error'));
    return null;
  }
  return s.user;
}

function enterprisePage() {
  const user = requireUser(['enterprise', 'admin']);
  if (!user) return;
  const org = user.org_id;
  main().replaceChildren(h('h1', {}, t('企业')), tabs([
    ['研发需求', () => resourceSection({ path: '/api/needs', recoPath: 'needs', fields: NEED_FIELDS,
      newTitle: '发布研发需求', listTitle: '研发需求', orgId: org, titleOf: (x) => x.title })],
    ['招聘岗位', () => resourceSection({ path: '/api/jobs', recoPath: 'jobs', fields: JOB_FIELDS,
      newTitle: '发布招聘岗位', listTitle: '招聘岗位', orgId: org, titleOf: (x) => x.title })],
    ['报名活动', () => registrationSection(org, 'demand')],
    ['我的配对', () => pairingsSection(org)],
  ]));
}

function challengesSection(orgId) {
  const root = h('section', {}, h('h2', {}, t('揭榜挂帅')));
  const body = h('div', {}, h('p', { class: 'muted' }, '…'));
  root.append(body);
  (async () => {
    const rounds = (await get('/api/rounds?kind=open_challenge&state=open&limit=50')).items;
    const challenges = new Map((await get('/api/needs?is_challenge=true&limit=100')).items.map((n) => [n.id, n]));
    const mine = (await get(`/api/capabilities?owner=${orgId}&limit=100`)).items;
    const parts = [];
    for (const r of rounds) {
      const ps = await get(`/api/rounds/${r.id}/participants`);
      const apps = await get(`/api/rounds/${r.id}/applications`);
      const open = ps.demands.filter((d) => challenges.has(d.item_id));
      parts.push(h('div', { class: 'card' }, h('h3', {}, r.title),
        open.length ? h('ul', { class: 'list' }, open.map((d) => {
          const need = challenges.get(d.item_id);
          const applied = apps.filter((a) => a.need_id === d.item_id);
          const holder = h('div');
          const f = recordForm([
            { name: 'capability_id', label: '选择科研能力', type: 'select', options: mine.map((c) => [String(c.id), c.title]) },
            { name: 'team', label: '团队' },
            { name: 'proposal', label: '方案', type: 'textarea' },
            { name: 'expected_months', label: '预计月数', type: 'int' },
            { name: 'price', label: '报价（元）', type: 'int' },
          ], {
            submitText: '申请揭榜',
            onSubmit: async (read) => {
              const b = read({ omitEmpty: true });
              b.capability_id = Number(b.capability_id);
              await post(`/api/rounds/${r.id}/applications`, { need_id: d.item_id, ...b });
              holder.replaceChildren(notice(`${t('已揭榜')}：${need.title}`));
            },
          });
          return h('li', {}, h('strong', {}, d.title), ' · ', d.org_name, ' · ', d.city,
            need.reward ? chip(`榜单 ${need.reward.toLocaleString()} 元`, 'hit') : null,
            applied.map((a) => chip(`${t('已揭榜')}：${a.team || a.org_name}`, 'ok')),
            h('details', {}, h('summary', {}, t('申请揭榜')), holder), (holder.append(f.form), null));
        })) : h('p', { class: 'muted' }, t('暂无记录'))));
    }
    body.replaceChildren(...(parts.length ? parts : [h('p', { class: 'muted' }, t('暂无记录'))]));
  })().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// Register one of the organization's published items in an open round (beyond the round's scope).
const ENTRY_SOURCES = { demand: { open_challenge: 'needs', recruitment_fair: 'jobs' },
  supply: { open_challenge: 'capabilities', recruitment_fair: 'talent-pools' } };
const SOURCE_NAMES = { scope: '按范围纳入', registration: '已报名', 'scope+registration': '已报名' };

function registrationSection(orgId, side) {
  const root = h('section', { class: 'registration' }, h('h2', {}, t('报名对接活动')));
  const body = h('div', {}, h('p', { class: 'muted' }, '…'));
  root.append(body);
  const label = (x) => x.title || `${x.major_name} · ${x.degree_level} · ${x.graduation_year}`;
  (async () => {
    const rounds = (await get('/api/rounds?state=open&limit=50')).items;
    const cards = [];
    for (const r of rounds) {
      const resource = ENTRY_SOURCES[side][r.kind];
      const mine = (await get(`/api/${resource}?owner=${orgId}&status=published&limit=100`)).items;
      const entries = h('ul', { class: 'list entries' });
      const drawEntries = (ps) => {
        const list = (side === 'demand' ? ps.demands : ps.supplies).filter((x) => x.org_id === orgId);
        entries.replaceChildren(...(list.length ? list.map((x) => h('li', { 'data-item': x.item_id },
          h('strong', {}, x.title), ' ', chip(t(SOURCE_NAMES[x.source] || x.source),
            x.source === 'scope' ? '' : 'ok'))) : [h('li', { class: 'muted' }, t('暂无记录'))]));
      };
      drawEntries(await get(`/api/rounds/${r.id}/participants`));
      const f = recordForm([{ name: 'item_id', label: `选择${{ needs: '研发需求', jobs: '招聘岗位',
        capabilities: '科研能力', 'talent-pools': '人才库' }[resource]}`, type: 'select',
      options: mine.map((x) => [String(x.id), label(x)]), wide: true }], {
        submitText: '报名',
        onSubmit: async (read, { status }) => {
          const item = Number(read({ omitEmpty: false }).item_id);
          drawEntries(await post(`/api/rounds/${r.id}/entries`, { side, item_id: item }));
          status.append(notice(t('已报名')));
        },
      });
      cards.push(h('div', { class: 'card', 'data-round': r.id }, h('h3', {}, r.title),
        h('p', { class: 'muted small' }, r.kind === 'open_challenge' ? t('揭榜挂帅') : t('招聘会（岗位 × 人才库）')),
        entries, mine.length ? f.form : h('p', { class: 'muted' }, t('暂无已发布的记录可报名')),
        r.kind === 'recruitment_fair' && r.slots && r.slots.length ? availabilityForm(r, orgId) : null));
    }
    body.replaceChildren(...(cards.length ? cards : [h('p', { class: 'muted' }, t('暂无开放报名的活动'))]));
  })().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// Recruitment fairs: the slots the organization cannot attend, so the schedule avoids them.
function availabilityForm(round, orgId) {
  const boxes = round.slots.map((label, i) => h('label', { class: 'row small' },
    h('input', { type: 'checkbox', name: 'unavailable', value: i }), label));
  const status = h('div', { class: 'form-status' });
  const save = h('button', { type: 'button', class: 'small', onclick: async () => {
    save.disabled = true;
    status.replaceChildren();
    try {
      const slots = boxes.map((b) => b.querySelector('input')).filter((x) => x.checked).map((x) => Number(x.value));
      const r = await api('PUT', `/api/rounds/${round.id}/availability`, { org_id: orgId, unavailable_slots: slots });
      const names = r.unavailable_slots.map((i) => round.slots[i]).join('、') || t('无');
      status.append(notice(`${t('已保存')}：${t('不能参加')} ${names}`));
    } catch (err) {
      status.append(notice(errorText(err), 'error'));
    } finally {
      save.disabled = false;
    }
  } }, t('保存'));
  // Tick what was saved before, so the form shows the current answer.
  api('GET', `/api/rounds/${round.id}/availability?org=${orgId}`).then((r) => {
    for (const i of r.unavailable_slots) {
      const box = boxes[i] && boxes[i].querySelector('input');
      if (box) box.checked = true;
    }
  }).catch(() => {});
  return h('fieldset', { class: 'availability' }, h('legend', {}, t('不能参加的时段')),
    h('div', { class: 'row' }, boxes), save, status);
}

function universityPage() {
  const user = requireUser(['university', 'admin']);
  if (!user) return;
  const org = user.org_id;
  main().replaceChildren(h('h1', {}, t('高校/院所')), tabs([
    ['科研能力', () => resourceSection({ path: '/api/capabilities', recoPath: 'capabilities',
      fields: CAPABILITY_FIELDS, newTitle: '发布科研能力', listTitle: '科研能力', orgId: org, titleOf: (x) => x.title })],
    ['人才库', () => resourceSection({ path: '/api/talent-pools', recoPath: 'talent-pools', fields: POOL_FIELDS,
      newTitle: '发布人才库', listTitle: '人才库', orgId: org,
      titleOf: (x) => `${x.major_name} · ${x.degree_level} · ${x.graduation_year}` })],
    ['揭榜挂帅', () => challengesSection(org)],
    ['报名活动', () => registrationSection(org, 'supply')],
    ['我的配对', () => pairingsSection(org)],
  ]));
}

const ROUND_FIELDS = [
  { name: 'kind', label: '活动类型', type: 'select', options: [['open_challenge', '揭榜挂帅（研发需求 × 科研能力）'],
    ['recruitment_fair', '招聘会（岗位 × 人才库）']] },
  { name: 'title', label: '标题', required: true, wide: true },
  { name: 'description', label: '描述', type: 'textarea' },
  { name: 'scope.everyone', label: '全省所有已发布记录', type: 'bool' },
  { name: 'scope.cities', label: '范围：城市', type: 'list', placeholder: '太原，吕梁' },
  { name: 'method', label: '匹配方法', type: 'select', options: [['optimal', '最优（总分最高）'],
    ['stable', '稳定匹配'], ['fair', '公平（照顾弱势方）']] },
  { name: 'loads.demand_max', label: '每个需求最多配对数', type: 'int' },
  { name: 'top_k', label: '候选数（top k）', type: 'int' },
  { name: 'slots', label: '时段（逗号分隔）', type: 'list', placeholder: '09:00，09:30，10:00' },
  { name: 'tables', label: '洽谈桌数', type: 'int' },
];

function coordinatorPage() {
  const user = requireUser(['coordinator', 'admin']);
  if (!user) return;
  const list = h('div', {}, '…');
  const f = recordForm(ROUND_FIELDS, {
    submitText: '创建',
    onSubmit: async (read) => {
      const r = await post('/api/rounds', read({ omitEmpty: true }));
      location.href = `/round?id=${r.id}`;
    },
  });
  f.inputs['loads.demand_max'].value = 1;
  f.inputs.top_k.value = 10;
  main().replaceChildren(h('h1', {}, t('对接活动')), list, h('h2', {}, t('新建对接活动')), h('div', { class: 'card' }, f.form));
  get('/api/rounds?limit=100').then((page) => {
    list.replaceChildren(page.items.length ? h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['#', t('标题'), t('活动类型'), t('状态')].map((x) => h('th', {}, x)))),
      h('tbody', {}, page.items.map((r) => h('tr', {}, h('td', {}, r.id),
        h('td', {}, h('a', { href: `/round?id=${r.id}` }, r.title)),
        h('td', {}, r.kind === 'open_challenge' ? t('揭榜挂帅') : t('招聘会（岗位 × 人才库）')),
        h('td', {}, chip(t(STATE_NAMES[r.state]), `state-${r.state}`))))))) : h('p', { class: 'muted' }, t('暂无记录')));
  }).catch((err) => list.replaceChildren(notice(errorText(err), 'error')));
}

function progressBar() {
  const fill = h('div');
  const text = h('span', { class: 'small muted' });
  const el = h('div', { class: 'run-progress' },
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill), text);
  return {
    el,
    set(run) {
      fill.style.width = `${run.percent}%`;
      el.firstChild.setAttribute('aria-valuenow', run.percent);
      const stage = run.stage && run.stage !== run.state ? ` · ${t(label('stage', run.stage))}` : '';
      text.textContent = `${t(label('run_state', run.state))}${stage} · ${run.percent}%`;
      el.dataset.state = run.state;
    },
  };
}

async function pollRun(runId, bar) {
  for (;;) {
    const run = await get(`/api/runs/${runId}`);
    bar.set(run);
    if (['succeeded', 'failed', 'cancelled'].includes(run.state)) return run;
    await new Promise((r) => setTimeout(r, 400));
  }
}

function candidateRow(c, { round, demand, reload, editable }) {
  const flags = [
    c.applied ? chip(t('已揭榜'), 'ok') : null,
    c.pinned ? chip(t('已锁定'), 'ok') : null,
    c.forbidden ? chip(`${t('已排除')}${c.reason ? `：${c.reason}` : ''}`, 'bad') : null,
  ];
  const constrain = (kind, reasonInput) => async (ev) => {
    const btn = ev.target;
    btn.disabled = true;
    const reason = reasonInput ? reasonInput.value.trim() : '';
    try {
      await post(`/api/rounds/${round.id}/constraints`, { demand_id: demand.demand_id, supply_id: c.supply_id, kind, reason });
      reload(t('约束已保存，重新运行匹配后生效'));
    } catch (err) {
      btn.disabled = false;
      const box = btn.closest('.forbid-form') || btn.parentElement;
      box.querySelectorAll('.field-error, .notice').forEach((e) => e.remove());
      const msg = (err.errors || []).find((e) => e.field === 'reason');
      if (msg && reasonInput) {
        reasonInput.classList.add('invalid');
        box.append(h('small', { class: 'field-error' }, msg.message));
      } else box.append(notice(errorText(err), 'error'));
    }
  };
  // Forbidding asks why (kept with the constraint and shown to reviewers), inline rather than a prompt.
  const reasonId = `reason-${demand.demand_id}-${c.supply_id}`;
  const reasonInput = h('input', { id: reasonId, name: 'reason', type: 'text', maxlength: 200,
    placeholder: t('例如：双方已有合作') });
  const forbidForm = h('div', { class: 'forbid-form row', hidden: true },
    h('label', { for: reasonId, class: 'small' }, t('排除原因')), reasonInput,
    h('button', { type: 'button', class: 'small', onclick: constrain('forbid', reasonInput) }, t('确认排除')),
    h('button', { type: 'button', class: 'small secondary', onclick: () => { forbidForm.hidden = true; } }, t('取消')));
  const askReason = () => {
    forbidForm.hidden = false;
    reasonInput.focus();
  };
  const comps = Object.entries(c.components || {}).map(([k, v]) => labelSpan('component', k, ` ${Number(v).toFixed(2)}`));
  return h('div', { class: `candidate${c.chosen ? ' chosen' : ''}${c.forbidden ? ' forbidden' : ''}` },
    h('div', { class: 'row spread' },
      h('div', {}, `#${c.rank} `, h('strong', {}, highlight(c.supply_title, allTerms(c.matched_terms))),
        ' · ', c.supply_org_name, ' ', h('span', { class: 'score' }, c.score.toFixed(3)), ...flags),
      editable ? h('div', { class: 'row' },
        c.pinned ? null : h('button', { type: 'button', class: 'small secondary', onclick: constrain('pin') }, t('锁定')),
        c.forbidden ? null : h('button', { type: 'button', class: 'small secondary forbid', onclick: askReason }, t('排除')))
        : null),
    editable && !c.forbidden ? forbidForm : null,
    h('div', { class: 'components' }, comps), termChips(c.matched_terms));
}

function resultsView(round, results, reload) {
  const editable = !['published', 'closed'].includes(round.state);
  const sort = h('select', { name: 'sort' }, [['score', '按得分'], ['title', '按需求名称'], ['unmatched', '未匹配优先']]
    .map(([v, l]) => h('option', { value: v }, t(l))));
  const filter = h('input', { type: 'search', name: 'filter', placeholder: t('筛选') });
  const only = h('input', { type: 'checkbox', name: 'only-unmatched' });
  const cards = h('div', { class: 'grid results' });
  const best = (d) => (d.chosen[0] ? d.chosen[0].score : -1);
  function draw() {
    const q = filter.value.trim().toLowerCase();
    let ds = results.demands.filter((d) => !only.checked || !d.chosen.length);
    if (q) {
      ds = ds.filter((d) => [d.demand_title, d.demand_org_name, ...d.ranked.map((c) => `${c.supply_title} ${c.supply_org_name}`)]
        .join(' ').toLowerCase().includes(q));
    }
    if (sort.value === 'score') ds.sort((a, b) => best(b) - best(a));
    if (sort.value === 'title') ds.sort((a, b) => a.demand_title.localeCompare(b.demand_title, 'zh-CN'));
    if (sort.value === 'unmatched') ds.sort((a, b) => (a.chosen.length - b.chosen.length) || best(b) - best(a));
    cards.replaceChildren(...ds.map((d) => {
      const ctx = { round, demand: d, reload, editable };
      const alternates = d.alternates.length ? d.alternates : d.ranked.filter((c) => !c.chosen);
      return h('article', { class: `card demand${d.chosen.length ? '' : ' bad'}`, 'data-demand': d.demand_id },
        h('h3', {}, d.demand_title), h('div', { class: 'muted small' }, d.demand_org_name),
        h('h4', {}, t('选定')), d.chosen.length ? d.chosen.map((c) => candidateRow(c, ctx)) : h('p', { class: 'muted' }, '—'),
        d.unmatched_reasons && d.unmatched_reasons.length ? h('div', { class: 'small' }, `${t('未匹配原因')}：`,
          d.unmatched_reasons.map((r) => r.message || r.detail || label('unmatched', r.reason)).join('；')) : null,
        d.invite && d.invite.length ? h('div', { class: 'small' }, `${t('建议邀请')}：`, d.invite.map((c) => chip(c.supply_title))) : null,
        alternates.length ? h('details', {}, h('summary', {}, `${t('备选')}（${alternates.length}）`),
          alternates.map((c) => candidateRow(c, ctx))) : null);
    }));
  }
  [sort, filter, only].forEach((el) => el.addEventListener('input', draw));
  draw();
  return h('div', {}, h('div', { class: 'row toolbar' }, h('label', {}, `${t('排序')} `, sort), filter,
    h('label', { class: 'row' }, only, t('只看未匹配'))), cards);
}

function networkView(results) {
  const pairs = results.demands.flatMap((d) => d.chosen.map((c) => ({ left: d.demand_org_name, right: c.supply_org_name, score: c.score })));
  if (!pairs.length) return h('p', { class: 'muted' }, t('暂无记录'));
  return h('figure', { class: 'network' }, networkSvg(pairs, { left: t('需求方'), right: t('供给方'), title: t('配对网络') }));
}

function statsView(round) {
  const box = h('div', {}, '…');
  get(`/api/rounds/${round.id}/stats`).then(async (s) => {
    // Industry codes (C30 …) are drawn by their Chinese names.
    const byIndustry = await Promise.all(s.by_industry.map((r) => codeName('industry', r.key)
      .then((n) => ({ ...r, key: n ? n.name : r.key }))));
    box.replaceChildren(
      h('p', {}, `${t('匹配率')} ${Math.round(s.matched_share * 100)}% · ${t('已匹配需求')} ${s.matched_demands}/${s.demands}`),
      h('div', { class: 'two' }, barsSvg(s.by_city, t('按城市的匹配率')), barsSvg(byIndustry, t('按行业的匹配率'))));
  }).catch((err) => box.replaceChildren(notice(errorText(err), 'error')));
  return box;
}

function scheduleGrid(s) {
  const tables = s.tables || Math.max(1, ...s.meetings.map((m) => m.table_no || 1));
  const cell = new Map(s.meetings.filter((m) => m.slot !== null).map((m) => [`${m.slot}:${m.table_no}`, m]));
  return h('div', { class: 'scroll' }, h('table', { class: 'schedule' },
    h('thead', {}, h('tr', {}, h('th', {}, t('时段')), Array.from({ length: tables }, (_, i) => h('th', {}, `${t('桌')} ${i + 1}`)))),
    h('tbody', {}, s.slots.map((label, slot) => h('tr', {}, h('th', {}, label),
      Array.from({ length: tables }, (_, i) => {
        const m = cell.get(`${slot}:${i + 1}`);
        return m ? h('td', { class: `meeting${m.confirmed ? ' confirmed' : ''}` }, m.enterprise_name, h('br'), '↔ ', m.university_name)
          : h('td', {});
      }))))),
  h('p', { class: 'small muted' }, `${s.n_slots_used} / ${s.slots.length} · ≥ ${s.lower_bound}${s.unplaced ? ` · ${s.unplaced} 未排入` : ''}`));
}

function scheduleView(round) {
  const box = h('div');
  const build = h('button', { type: 'button', onclick: async () => {
    try {
      box.replaceChildren(scheduleGrid(await post(`/api/rounds/${round.id}/schedule`)));
    } catch (err) { box.replaceChildren(notice(errorText(err), 'error')); }
  } }, t('排定日程'));
  get(`/api/rounds/${round.id}/schedule`).then((s) => {
    if (s.meetings.length) box.replaceChildren(scheduleGrid(s));
  }).catch(() => {});
  return h('div', {}, round.state === 'published' ? build : null, box);
}

function participantsView(round) {
  const box = h('div', {}, '…');
  get(`/api/rounds/${round.id}/participants`).then((p) => {
    const col = (title, items) => h('div', {}, h('h3', {}, `${t(title)}（${items.length}）`),
      h('ul', { class: 'list' }, items.map((x) => h('li', {}, h('strong', {}, x.title), h('div', { class: 'small muted' }, `${x.org_name} · ${x.city}`)))));
    box.replaceChildren(h('div', { class: 'two' }, col('需求方', p.demands), col('供给方', p.supplies)));
  }).catch((err) => box.replaceChildren(notice(errorText(err), 'error')));
  return box;
}

function pairingsTable(round) {
  const box = h('div', {}, '…');
  get(`/api/rounds/${round.id}/pairings`).then((ps) => {
    box.replaceChildren(h('div', { class: 'scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('需求'), t('需求方'), t('供给方'), t('得分'), t('需求方'), t('供给方')].map((x) => h('th', {}, x)))),
      h('tbody', {}, ps.map((p) => h('tr', {}, h('td', {}, p.demand_title), h('td', {}, p.demand_org_name),
        h('td', {}, `${p.supply_org_name} · ${p.supply_title}`), h('td', { class: 'score' }, p.score.toFixed(3)),
        h('td', {}, chip(t(RESPONSE_NAMES[p.demand_response]), `state-${p.demand_response}`)),
        h('td', {}, chip(t(RESPONSE_NAMES[p.supply_response]), `state-${p.supply_response}`))))))));
  }).catch((err) => box.replaceChildren(notice(errorText(err), 'error')));
  return box;
}

async function roundPage() {
  const user = requireUser(['coordinator', 'admin']);
  if (!user) return;
  const id = Number(params.get('id'));
  const flash = h('div');
  const reload = async (message) => {
    await roundPage();
    if (message) document.querySelector('.round-flash').append(notice(message));
  };
  const round = await get(`/api/rounds/${id}`);
  const runs = await get(`/api/rounds/${id}/runs`);
  const bar = progressBar();
  const actions = h('div', { class: 'row actions' });
  const act = (label, fn, cls = '') => h('button', { type: 'button', class: cls, onclick: async (ev) => {
    ev.target.disabled = true;
    try { await fn(); } catch (err) { flash.replaceChildren(notice(errorText(err), 'error')); ev.target.disabled = false; }
  } }, t(label));
  if (round.state === 'draft') {
    actions.append(act('开放报名', async () => { await post(`/api/rounds/${id}/transition`, { to: 'open' }); await reload(); }));
  }
  if (['open', 'review'].includes(round.state)) {
    actions.append(act('开始匹配', async () => {
      const run = await post(`/api/rounds/${id}/runs`);
      bar.el.hidden = false;
      await pollRun(run.id, bar);
      await reload(t('匹配完成'));
    }));
  }
  if (round.state === 'review') {
    actions.append(act('发布配对', async () => { await post(`/api/rounds/${id}/publish`); await reload(t('已发布')); }, 'publish'));
  }
  for (const name of ['ranked', 'assignment', 'schedule']) {
    if (name === 'schedule' && round.kind !== 'recruitment_fair') continue;
    actions.append(act(`${t('导出')}${label('export', name)}（Excel）`, () => download(`/api/rounds/${id}/export/${name}.xlsx`, `对接活动${id}-${label('export', name)}.xlsx`), 'secondary'));
  }
  // The latest run stays on show (state, stage, 100 %) until the next one starts.
  const last = [...runs].sort((a, b) => b.id - a.id)[0];
  if (last) bar.set(last);
  bar.el.hidden = !last;
  const header = h('div', {}, h('h1', {}, round.title, ' ', chip(t(STATE_NAMES[round.state]), `state-${round.state}`)),
    h('p', { class: 'muted' }, `${round.kind === 'open_challenge' ? t('揭榜挂帅') : t('招聘会（岗位 × 人才库）')} · `, labelSpan('method', round.method)),
    actions, bar.el, h('div', { class: 'round-flash' }, flash));
  const active = runs.find((r) => ['queued', 'running'].includes(r.state));
  const done = round.published_run_id || (runs.filter((r) => r.state === 'succeeded').sort((a, b) => b.id - a.id)[0] || {}).id;
  const results = done ? await get(`/api/runs/${done}/results`) : null;
  const sections = [['参与者', () => participantsView(round)]];
  if (results) {
    sections.unshift(['匹配结果', () => resultsView(round, results, reload)]);
    sections.push(['配对网络', () => networkView(results)], ['统计', () => statsView(round)]);
  }
  if (round.state === 'published') sections.push(['已发布配对', () => pairingsTable(round)]);
  if (round.kind === 'recruitment_fair') sections.push(['洽谈日程', () => scheduleView(round)]);
  main().replaceChildren(h('p', {}, h('a', { href: '/coordinator' }, `← ${t('对接活动')}`)), header, tabs(sections));
  if (active) {
    bar.el.hidden = false;
    await pollRun(active.id, bar);
    await reload(t('匹配完成'));
  }
}

const IMPORT_KINDS = [['needs', '研发需求'], ['jobs', '招聘岗位'], ['capabilities', '科研能力'], ['talent-pools', '人才库']];

function importPage() {
  const user = requireUser();
  if (!user) return;
  const kind = h('select', { name: 'kind', id: 'import-kind' }, IMPORT_KINDS.map(([v, l]) => h('option', { value: v }, t(l))));
  if (user.role === 'university') kind.value = 'capabilities';
  const owner = h('input', { name: 'owner_id', id: 'import-owner', type: 'number', placeholder: String(user.org_id || '') });
  const file = h('input', { name: 'file', id: 'import-file', type: 'file', accept: '.xlsx,.csv' });
  const out = h('div', { class: 'import-result' });
  const form = () => {
    const fd = new FormData();
    fd.append('file', file.files[0]);
    if (owner.value) fd.append('owner_id', owner.value);
    return fd;
  };
  const save = h('button', { type: 'button', disabled: true, class: 'commit', onclick: async () => {
    try {
      const r = await upload(`/api/imports/${kind.value}`, form());
      out.replaceChildren(notice(`${t('已保存')}：${r.created}`));
      save.disabled = true;
    } catch (err) {
      out.prepend(notice(errorText(err), 'error'));
    }
  } }, t('确认导入'));
  const preview = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    save.disabled = true;
    if (!file.files.length) { out.replaceChildren(notice(t('文件（.xlsx 或 .csv）'), 'error')); return; }
    try {
      const p = await upload(`/api/imports/${kind.value}/preview`, form());
      const cols = p.columns.filter((c) => c.found);
      const bad = new Map();
      for (const e of p.errors) bad.set(`${e.row}:${e.field.split('.')[0]}`, e.message);
      out.replaceChildren(
        notice(`${p.label}：${p.total} 行，${p.valid} 行通过校验${p.errors.length ? `，${p.errors.length} 处错误（未保存）` : ''}`, p.errors.length ? 'error' : ''),
        p.errors.length ? h('ul', { class: 'errors' }, p.errors.map((e) => h('li', {}, `第 ${e.row} 行 · ${e.column}（${e.field}）：${e.message}`))) : null,
        h('div', { class: 'scroll' }, h('table', { class: 'preview' },
          h('thead', {}, h('tr', {}, h('th', {}, t('行')), cols.map((c) => h('th', {}, c.label)))),
          h('tbody', {}, p.rows.map((r) => h('tr', { class: r.ok ? '' : 'bad' }, h('td', {}, r.row),
            cols.map((c) => {
              const msg = bad.get(`${r.row}:${c.field}`);
              return h('td', { class: msg ? 'bad' : '', title: msg }, r.values[c.field] ?? '', msg ? h('div', { class: 'field-error' }, msg) : null);
            })))))));
      save.disabled = p.errors.length > 0;
    } catch (err) {
      out.replaceChildren(notice(errorText(err), 'error'));
    }
  } }, t('预览'));
  main().replaceChildren(h('h1', {}, t('Excel 导入')),
    h('div', { class: 'card' }, h('div', { class: 'form' },
      h('div', { class: 'field' }, h('label', { for: 'import-kind' }, t('导入类型')), kind),
      h('div', { class: 'field' }, h('label', { for: 'import-file' }, t('文件（.xlsx 或 .csv）')), file),
      user.role === 'admin' ? h('div', { class: 'field' }, h('label', { for: 'import-owner' }, t('发布机构编号（管理员）')), owner) : null,
      h('div', { class: 'form-actions' }, preview, save)),
    h('p', { class: 'small muted' }, t('表头可用中文列名或字段名'))), out);
}

// --- chrome and routing ----------------------------------------------------------------------

function chrome() {
  const s = session();
  const nav = document.getElementById('nav');
  const links = [['/', '首页'], ['/workspace', '工作台'], ['/enterprise', '企业'], ['/university', '高校/院所'], ['/coordinator', '对接专员'], ['/my', '我的对接'], ['/import', 'Excel 导入']];
  nav.replaceChildren(...links.map(([href, label]) => h('a', { href, class: location.pathname === href ? 'active' : '' }, t(label))));
  const who = document.getElementById('who');
  if (s && s.user) {
    who.replaceChildren(`${s.user.display_name || s.user.login} · ${t(ROLE_NAMES[s.user.role])} `,
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: async () => {
        try { await post('/api/auth/logout'); } catch { /* the token may already be gone */ }
        clearSession();
        location.href = '/';
      } }, t('退出')));
  } else who.replaceChildren(h('a', { href: '/login' }, t('登录')));
  const toggle = document.getElementById('lang');
  toggle.textContent = lang() === 'en' ? '中文' : 'English';
  toggle.onclick = () => { setLang(lang() === 'en' ? 'zh-CN' : 'en'); location.reload(); };
  applyI18n();
}

const ROUTES = {
  '/': homePage, '/workspace': homePage, '/login': loginPage, '/enterprise': enterprisePage, '/university': universityPage,
  '/coordinator': coordinatorPage, '/round': roundPage, '/import': importPage, '/my': myPage,
  '/register': registerPage, '/register/confirm': confirmPage, '/register/invite': invitePage,
  '/reset-password': resetPage, '/registration': myOrganizationPage, '/registrations': approvalsPage,
  '/inbox': inboxPage, '/contacts': contactsPage, '/contact/new': newContactPage,
};

async function start() {
  chrome();
  mountHeader();
  const page = ROUTES[location.pathname] || homePage;
  try {
    await page();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) needLogin();
    else main().replaceChildren(notice(errorText(err), 'error'));
  }
  document.body.dataset.ready = '1';
}

start();

// Shared with the page modules (contacts.js, inbox.js, register.js).
export { chip, errorText, h, needLogin, notice, recordForm, requireUser, tabs };
