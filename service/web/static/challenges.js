// 「我的对接」 (/my): my pairings across every round, my agenda with an .ics download, my
// applications (揭榜 and achievement take-up), the applicants to my challenges and listings side
// by side, the coordinator's 发榜 review, and the 公示 list. Everything through the JSON API.
import { ApiError, download, get, post, session } from './api.js';
import { t } from './i18n.js';

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const chip = (text, cls = '') => h('span', { class: `chip ${cls}` }, text);
const muted = (text) => h('p', { class: 'muted' }, t(text));
const yuan = (n) => (n === null || n === undefined ? '—' : `${n.toLocaleString()} 元`);
const errorText = (err) => (err instanceof ApiError
  ? [err.message, ...err.errors.map((e) => `${e.field}：${e.message}`)].join('；') : String(err.message || err));
const notice = (text, kind = '') => h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);

const REVIEW = { pending: '待审核', approved: '已发榜', returned: '已退回' };
const APP_STATUS = { submitted: '已提交', shortlisted: '入围', withdrawn: '已撤回', selected: '中选', not_selected: '未中选' };
const PAIR_STATE = { pending: '待答复', confirmed: '双方确认', declined: '已婉拒' };
const RESPONSE = { pending: '待答复', accepted: '接受', declined: '婉拒' };
const OUTCOME = { none: '未登记', meeting_held: '洽谈已举行', contract_signed: '已签约', hired: '已录用' };
const MILESTONE = { midterm_check: '中期检查', acceptance: '验收' };
const ROUND_STATE = { draft: '草稿', open: '报名中', matching: '匹配中', review: '待审核', published: '已发布', closed: '已结束' };

// A button that runs an action, shows its error next to it and then redraws.
function action(label, run, { cls = 'small', redraw } = {}) {
  const out = h('span', { class: 'form-status' });
  const btn = h('button', { type: 'button', class: cls, onclick: async () => {
    btn.disabled = true;
    out.replaceChildren();
    try {
      await run();
      if (redraw) await redraw();
    } catch (err) {
      out.replaceChildren(notice(errorText(err), 'error'));
    } finally {
      btn.disabled = false;
    }
  } }, t(label));
  return h('span', {}, btn, out);
}

// A small inline form: fields are [name, label, type]; onSubmit gets the values.
function miniForm(fields, submitText, onSubmit) {
  const form = h('form', { class: 'form mini', novalidate: true });
  const inputs = {};
  for (const [name, label, type, options] of fields) {
    const input = type === 'select'
      ? h('select', { name }, options.map(([v, l]) => h('option', { value: v }, t(l))))
      : type === 'textarea' ? h('textarea', { name })
        : h('input', { name, type: type === 'checkbox' ? 'checkbox' : type || 'text', checked: type === 'checkbox' });
    inputs[name] = input;
    form.append(h('label', { class: 'field' }, t(label), input));
  }
  const status = h('div', { class: 'form-status' });
  form.append(h('button', { type: 'submit', class: 'small' }, t(submitText)), status);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    const values = {};
    for (const [name, , type] of fields) {
      const v = inputs[name];
      if (type === 'checkbox') values[name] = v.checked;
      else if (type === 'number') { if (v.value !== '') values[name] = Number(v.value); } else if (v.value !== '') values[name] = v.value;
    }
    try {
      await onSubmit(values);
    } catch (err) {
      status.replaceChildren(notice(errorText(err), 'error'));
    }
  });
  return form;
}

function table(head, rows) {
  return h('div', { class: 'scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, t(x))))), h('tbody', {}, rows)));
}

// --- my pairings ---------------------------------------------------------------------------

function pairingsTab(query) {
  const root = h('section', { class: 'my-pairings' });
  const body = h('div', {}, '…');
  const filters = { round: query.get('round') || '', state: '', side: '' };
  const bar = h('div', { class: 'row filters' });
  const select = (name, options) => {
    const s = h('select', { name, onchange: () => { filters[name] = s.value; draw(); } },
      options.map(([v, l]) => h('option', { value: v, selected: filters[name] === v }, t(l))));
    return h('label', { class: 'small' }, s);
  };
  get('/api/rounds?limit=100').then((page) => {
    bar.prepend(select('round', [['', '全部对接活动'], ...page.items.map((r) => [String(r.id), `${r.title}（${t(ROUND_STATE[r.state])}）`])]));
  }).catch(() => {});
  bar.append(select('state', [['', '全部状态'], ...Object.entries(PAIR_STATE)]),
    select('side', [['', '全部角色'], ['demand', '我方为需求方'], ['supply', '我方为供给方']]));
  root.append(h('h2', {}, t('我的配对')), bar, body,
    h('p', { class: 'muted small' }, t('包括已结束的对接活动；双方接受后显示对方联系方式')));

  async function draw() {
    const q = new URLSearchParams({ limit: '100' });
    for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
    const page = await get(`/api/me/pairings?${q}`);
    if (!page.items.length) { body.replaceChildren(muted('暂无记录')); return; }
    body.replaceChildren(table(['对接活动', '我方记录', '对方', '得分', '我方答复', '对方答复', '状态', '', '成果与里程碑'],
      page.items.map((p) => h('tr', { 'data-my-pairing': p.id },
        h('td', {}, p.round_title, ' ', chip(t(ROUND_STATE[p.round_state]), `state-${p.round_state}`)),
        h('td', {}, p.my_item_title),
        h('td', {}, `${p.other_org_name} · ${p.other_item_title}`, p.contact ? h('div', { class: 'small' },
          `${t('联系方式')}：${[p.contact.contact_name, p.contact.contact_phone].filter(Boolean).join(' ') || p.contact.name}`) : null),
        h('td', { class: 'score' }, p.score.toFixed(3)),
        h('td', {}, chip(t(RESPONSE[p.my_response]), `state-${p.my_response}`)),
        h('td', {}, chip(t(RESPONSE[p.other_response]), `state-${p.other_response}`)),
        h('td', {}, chip(t(PAIR_STATE[p.state]), p.state === 'confirmed' ? 'ok' : p.state === 'declined' ? 'bad' : ''),
          p.publicity ? chip(`${t('公示')} ${p.publicity.publicity_start}～${p.publicity.publicity_end}`, 'hit') : null),
        h('td', {}, p.can_respond ? h('div', { class: 'row' },
          action('接受', () => post(`/api/pairings/${p.id}/respond`, { side: p.side, response: 'accepted' }), { redraw: draw }),
          action('婉拒', () => post(`/api/pairings/${p.id}/respond`, { side: p.side, response: 'declined' }), { cls: 'small secondary', redraw: draw })) : null),
        h('td', {}, outcomeCell(p, draw))))));
  }
  draw().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

function outcomeCell(p, redraw) {
  const text = p.outcome === 'contract_signed'
    ? `${t('已签约')}：${yuan(p.contract_amount)}${p.contract_date ? `（${p.contract_date}）` : ''}`
    : p.outcome === 'hired' ? `${t('已录用')}：${p.hires} 人` : t(OUTCOME[p.outcome]);
  const cell = h('div', {}, chip(text, `state-${p.outcome}`),
    p.milestones.map((m) => chip(`${t(MILESTONE[m.kind])} ${m.held_on}${m.passed ? '' : ` ${t('未通过')}`}`, m.passed ? 'ok' : 'bad')));
  if (p.state !== 'confirmed') return cell;
  cell.append(h('details', {}, h('summary', {}, t('登记成果')), miniForm([
    ['outcome', '对接成果', 'select', [['meeting_held', '洽谈已举行'], ['contract_signed', '已签约'], ['hired', '已录用']]],
    ['contract_amount', '合同金额（元）', 'number'], ['contract_date', '签约日期', 'date'], ['hires', '录用人数', 'number'],
  ], '保存', async (v) => {
    if (v.outcome !== 'contract_signed') { delete v.contract_amount; delete v.contract_date; }
    if (v.outcome !== 'hired') delete v.hires;
    await post(`/api/pairings/${p.id}/outcome`, v);
    await redraw();
  })));
  if (p.outcome === 'contract_signed') {
    cell.append(h('details', {}, h('summary', {}, t('登记中期检查或验收')), miniForm([
      ['kind', '里程碑', 'select', Object.entries(MILESTONE)], ['held_on', '日期', 'date'],
      ['passed', '通过', 'checkbox'], ['note', '备注', 'text'],
    ], '保存', async (v) => {
      await post(`/api/pairings/${p.id}/milestones`, v);
      await redraw();
    })));
  }
  return cell;
}

// --- agenda --------------------------------------------------------------------------------

function agendaTab(query) {
  const root = h('section', { class: 'my-agenda' }, h('h2', {}, t('我的议程')));
  const round = query.get('round');
  const suffix = round ? `?round=${encodeURIComponent(round)}` : '';
  const body = h('div', {}, '…');
  root.append(h('p', {}, action('下载日历（.ics）', () => download(`/api/me/agenda.ics${suffix}`, 'duijie-agenda.ics'))), body);
  get(`/api/me/agenda${suffix}`).then((items) => {
    body.replaceChildren(items.length ? table(['日期', '时段', '洽谈桌', '对方', '对接活动', '状态'], items.map((m) => h('tr', { 'data-meeting': m.meeting_id },
      h('td', {}, m.event_date || '—'), h('td', {}, m.slot_label || '—'), h('td', {}, m.table_no || '—'),
      h('td', {}, m.other_org_name), h('td', {}, m.round_title),
      h('td', {}, chip(m.state === 'scheduled' ? (m.confirmed ? t('双方确认') : t('已安排')) : m.state === 'unplaced' ? t('未能安排') : t('已取消'),
        m.state === 'scheduled' ? 'ok' : 'bad'), m.note ? ` ${m.note}` : null)))) : muted('暂无记录'));
  }).catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// --- my applications -----------------------------------------------------------------------

function qaList(questions, answerable) {
  if (!questions.length) return null;
  return h('ol', { class: 'qa small' }, questions.map((q) => h('li', {}, `${t('问')}：${q.question}`,
    q.answer ? h('div', {}, `${t('答')}：${q.answer}`) : answerable ? answerable(q) : h('div', { class: 'muted' }, t('待回答')))));
}

function applicationsTab(user) {
  const root = h('section', { class: 'my-applications' }, h('h2', {}, t('我的申请')));
  const body = h('div', {}, '…');
  root.append(body);
  async function draw() {
    const apps = await get('/api/me/applications');
    body.replaceChildren(...(apps.length ? apps.map((a) => h('div', { class: 'card', 'data-application': a.application_id },
      h('h3', {}, a.target_title, ' ', chip(t(APP_STATUS[a.status]), a.status === 'selected' ? 'ok' : a.status === 'withdrawn' || a.status === 'not_selected' ? 'bad' : '')),
      h('p', { class: 'small' }, `${a.direction === 'challenge' ? t('揭榜') : t('承接成果')} · ${a.target_org_name} · ${a.round_title} · `,
        `${t('金额')} ${yuan(a.reward)} · ${t('截止')} ${a.deadline || '—'} · ${t('我方')}：${a.my_item_title}`),
      a.proposal ? h('p', {}, a.proposal) : null,
      qaList(a.questions, (q) => miniForm([['answer', '回答', 'textarea']], '回答', async (v) => {
        await post(`/api/applications/${a.application_id}/questions/${q.id}/answer`, v);
        await draw();
      })),
      a.can_withdraw ? action('撤回申请', () => post(`/api/applications/${a.application_id}/withdraw`), { cls: 'small secondary', redraw: draw }) : null))
      : [muted('暂无记录')]));
  }
  draw().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  if (user.role === 'enterprise') root.append(takeUpSection(user.org_id, draw));
  return root;
}

// Enterprises apply to take up a listed achievement with one of their needs and a plan.
function takeUpSection(orgId, redraw) {
  const root = h('section', { class: 'take-up' }, h('h2', {}, t('承接科技成果')));
  const body = h('div', {}, '…');
  root.append(body);
  (async () => {
    const [listings, rounds, needs] = await Promise.all([get('/api/listings?limit=50'),
      get('/api/rounds?kind=open_challenge&state=open&limit=50'), get(`/api/needs?owner=${orgId}&status=published&limit=100`)]);
    if (!listings.items.length || !rounds.items.length || !needs.items.length) {
      body.replaceChildren(muted('暂无可承接的挂牌成果或开放的对接活动'));
      return;
    }
    body.replaceChildren(...listings.items.map((l) => h('div', { class: 'card', 'data-listing': l.id },
      h('h3', {}, l.title), h('p', { class: 'small' }, `${l.owner_name} · ${l.listing_modes.join('、')} · ${t('挂牌价')} ${yuan(l.asking_price)}`),
      l.listing_terms ? h('p', { class: 'small' }, l.listing_terms) : null,
      h('details', {}, h('summary', {}, t('申请承接')), miniForm([
        ['round', '对接活动', 'select', rounds.items.map((r) => [String(r.id), r.title])],
        ['need_id', '我方研发需求', 'select', needs.items.map((n) => [String(n.id), n.title])],
        ['proposal', '承接方案', 'textarea'], ['price', '报价（元）', 'number'],
      ], '提交', async (v) => {
        const rid = v.round;
        delete v.round;
        await post(`/api/rounds/${rid}/applications`, { ...v, need_id: Number(v.need_id), capability_id: l.id, direction: 'listing' });
        await redraw();
      })))));
  })().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// --- applicants side by side -----------------------------------------------------------------

function applicantsView(direction, id) {
  const box = h('div', { class: 'applicants', 'data-target': id }, '…');
  const path = direction === 'challenge' ? `/api/challenges/${id}/applicants` : `/api/listings/${id}/applicants`;
  async function draw() {
    const apps = await get(path);
    box.replaceChildren(apps.length ? table(['单位', direction === 'challenge' ? '团队' : '需求', '方案', '报价', '周期（月）', '得分', '匹配说明', '状态', ''],
      apps.map((a) => h('tr', { 'data-applicant': a.application_id },
        h('td', {}, a.org_name), h('td', {}, a.item_title, a.team ? h('div', { class: 'small' }, a.team) : null),
        h('td', {}, a.proposal, qaList(a.questions, null)), h('td', {}, yuan(a.price)), h('td', {}, a.expected_months || '—'),
        h('td', { class: 'score' }, a.score === null ? '—' : a.score.toFixed(3)), h('td', { class: 'small' }, a.explanation),
        h('td', {}, chip(t(APP_STATUS[a.status]), a.status === 'shortlisted' || a.status === 'selected' ? 'ok' : '')),
        h('td', {}, ['submitted', 'shortlisted'].includes(a.status) ? h('div', {},
          action(a.status === 'shortlisted' ? '移出入围' : '列入入围', () => post(`/api/applications/${a.application_id}/status`,
            { status: a.status === 'shortlisted' ? 'submitted' : 'shortlisted' }), { redraw: draw }),
          h('details', {}, h('summary', {}, t('提问')), miniForm([['question', '问题', 'textarea']], '提问', async (v) => {
            await post(`/api/applications/${a.application_id}/questions`, v);
            await draw();
          }))) : null)))) : muted('暂无申请'));
  }
  draw().catch((err) => box.replaceChildren(notice(errorText(err), 'error')));
  return box;
}

function applicantsTab(user) {
  const challenge = user.role === 'enterprise';
  const root = h('section', { class: 'my-targets' }, h('h2', {}, t(challenge ? '我的揭榜挂帅项目' : '我的挂牌成果')));
  const body = h('div', {}, '…');
  root.append(body);
  (async () => {
    const items = challenge
      ? (await get(`/api/needs?owner=${user.org_id}&is_challenge=true&limit=100`)).items
      : (await get(`/api/capabilities?owner=${user.org_id}&kind=achievement&limit=100`)).items.filter((c) => c.listing_modes.length);
    body.replaceChildren(...(items.length ? items.map((x) => {
      const holder = h('div');
      return h('div', { class: 'card', 'data-item': x.id }, h('h3', {}, x.title, ' ',
        challenge ? chip(t(REVIEW[x.challenge_review]), x.challenge_review === 'approved' ? 'ok' : x.challenge_review === 'returned' ? 'bad' : '') : null),
      x.return_reason ? h('p', { class: 'small' }, `${t('退回理由')}：${x.return_reason}`) : null,
      h('details', { ontoggle: (ev) => { if (ev.target.open && !holder.childNodes.length) holder.append(applicantsView(challenge ? 'challenge' : 'listing', x.id)); } },
        h('summary', {}, t('查看申请者')), holder));
    }) : [muted('暂无记录')]));
  })().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// --- coordinator: 发榜 review; everyone: 公示 -------------------------------------------------------

function reviewTab() {
  const root = h('section', { class: 'review' }, h('h2', {}, t('发榜审核')));
  const body = h('div', {}, '…');
  root.append(body);
  async function draw() {
    const pending = await get('/api/challenges/pending');
    body.replaceChildren(pending.length ? h('ul', { class: 'list' }, pending.map((c) => {
      const status = h('span');
      const decided = (r) => { status.replaceChildren(chip(t(REVIEW[r.challenge_review]), r.challenge_review === 'approved' ? 'ok' : 'bad')); };
      return h('li', { 'data-need': c.id }, h('strong', {}, c.title), ` · ${c.owner_name} · ${t('榜单金额')} ${yuan(c.reward)} · ${t('截止')} ${c.deadline || '—'}`,
        h('p', { class: 'small' }, c.description),
        h('div', { class: 'row' }, action('发榜', async () => decided(await post(`/api/challenges/${c.id}/approve`)), { cls: 'small approve' }),
          h('details', {}, h('summary', {}, t('退回')), miniForm([['reason', '退回理由', 'text']], '退回', async (v) => {
            decided(await post(`/api/challenges/${c.id}/return`, v));
          }))), status);
    })) : muted('暂无待审核的项目'));
  }
  draw().catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

function publicityTab() {
  const root = h('section', { class: 'publicity' }, h('h2', {}, t('结果公示')));
  const body = h('div', {}, '…');
  root.append(body);
  get('/api/challenges/publicity').then((items) => {
    body.replaceChildren(items.length ? table(['项目', '发布方', '中选单位', '金额', '公示期'], items.map((n) => h('tr', {},
      h('td', {}, n.title, ' ', chip(n.direction === 'challenge' ? t('揭榜挂帅') : t('成果转化'))), h('td', {}, n.owner_name),
      h('td', {}, n.winner_name), h('td', {}, yuan(n.reward)), h('td', {}, `${n.publicity_start}～${n.publicity_end}`)))) : muted('暂无公示'));
  }).catch((err) => body.replaceChildren(notice(errorText(err), 'error')));
  return root;
}

// --- the page --------------------------------------------------------------------------------

export function myPage() {
  const main = document.getElementById('main');
  const s = session();
  if (!s || !s.user) {
    main.replaceChildren(h('h1', {}, t('需要先登录')), h('p', {}, h('a', { class: 'button', href: `/login?next=${encodeURIComponent('/my')}` }, t('登录'))));
    return;
  }
  const user = s.user;
  const query = new URLSearchParams(location.search);
  const staff = ['coordinator', 'admin'].includes(user.role);
  const tabs = [
    staff ? ['review', '发榜审核', reviewTab] : null,
    ['pairings', '我的配对', () => pairingsTab(query)],
    ['agenda', '我的议程', () => agendaTab(query)],
    staff ? null : ['applications', '我的申请', () => applicationsTab(user)],
    staff ? null : ['applicants', user.role === 'enterprise' ? '我的榜单' : '我的挂牌成果', () => applicantsTab(user)],
    ['publicity', '结果公示', publicityTab],
  ].filter(Boolean);
  const bar = h('div', { class: 'tabs', role: 'tablist' });
  const pane = h('div', { role: 'tabpanel' });
  const show = (key) => {
    const [, , build] = tabs.find(([k]) => k === key) || tabs[0];
    bar.querySelectorAll('button').forEach((b) => b.classList.toggle('active', b.dataset.tab === (key || tabs[0][0])));
    pane.replaceChildren(build());
  };
  for (const [key, label] of tabs) {
    const b = h('button', { type: 'button', role: 'tab', onclick: () => {
      const q = new URLSearchParams(location.search);
      q.set('tab', key);
      history.replaceState(null, '', `/my?${q}`);
      show(key);
    } }, t(label));
    b.dataset.tab = key;
    bar.append(b);
  }
  main.replaceChildren(h('h1', {}, t('我的对接')), bar, pane);
  const wanted = query.get('tab');
  show(tabs.some(([k]) => k === wanted) ? wanted : tabs[0][0]);
}
