// Contact requests (对接请求): the /contact/new page and the /contacts lists.
import { get, post, session } from './api.js';
import { t } from './i18n.js';
import { chip, errorText, h, notice, recordForm, tabs } from './app.js';

const KINDS = { need: '研发需求', job: '招聘岗位', capability: '科研能力', talent_pool: '人才库' };
const STATES = { pending: '待答复', accepted: '已接受', declined: '已拒绝', withdrawn: '已撤回' };
// What a recommendation list (by the asking record's collection) recommends.
const RECO_TARGET = { needs: 'capability', capabilities: 'need', jobs: 'talent_pool', 'talent-pools': 'job' };

const main = () => document.getElementById('main');

/** The /contact/new link for a recommended item of the ``recoPath`` list (needs, jobs, …). */
export function contactHref(recoPath, id) {
  return `/contact/new?target=${RECO_TARGET[recoPath]}:${id}`;
}

// Same-origin path only: never an absolute URL or a protocol-relative one.
function loginRedirect() {
  const next = location.pathname + location.search;
  location.replace(`/login?next=${encodeURIComponent(next.startsWith('/') && !next.startsWith('//') ? next : '/')}`);
}

function parseTarget(raw) {
  const m = /^(need|job|capability|talent_pool):([1-9]\d{0,17})$/.exec(raw || '');
  return m ? { kind: m[1], id: Number(m[2]) } : null;
}

export async function newContactPage() {
  const s = session();
  if (!s || !s.user) {
    loginRedirect();
    return;
  }
  const target = parseTarget(new URLSearchParams(location.search).get('target'));
  if (!target) {
    main().replaceChildren(h('h1', {}, t('发送对接请求')), notice(t('链接无效：缺少对接对象'), 'error'));
    return;
  }
  let info;
  try {
    info = await get(`/api/contact-requests/target?kind=${target.kind}&id=${target.id}`);
  } catch (err) {
    main().replaceChildren(h('h1', {}, t('发送对接请求')), notice(errorText(err), 'error'));
    return;
  }
  const fields = [
    { name: 'message', label: '留言（不超过 500 字）', type: 'textarea', required: true },
    { name: 'time0', label: '建议时间 1（可选）' },
    { name: 'time1', label: '建议时间 2（可选）' },
    { name: 'time2', label: '建议时间 3（可选）' },
  ];
  const done = h('div');
  const f = recordForm(fields, {
    submitText: '发送对接请求',
    onSubmit: async (read) => {
      const body = read({ omitEmpty: false });
      const times = [body.time0, body.time1, body.time2].filter(Boolean)
        .map((v) => new Date(v).toISOString());
      const r = await post('/api/contact-requests', {
        target_kind: target.kind, target_id: target.id, message: body.message, proposed_times: times,
      });
      f.form.hidden = true;
      done.replaceChildren(notice(`${t('对接请求已发送，等待对方答复')}（#${r.id}）`),
        h('p', {}, h('a', { href: '/contacts?box=sent' }, t('查看我发出的对接请求'))));
    },
  });
  for (const k of ['time0', 'time1', 'time2']) f.inputs[k].type = 'datetime-local';
  f.inputs.message.maxLength = 500;
  main().replaceChildren(
    h('h1', {}, t('发送对接请求')),
    h('div', { class: 'card' },
      h('p', {}, chip(t(KINDS[info.kind])), ' ', h('strong', { id: 'target-title' }, info.title)),
      h('p', { class: 'muted' }, `${t('发布方')}：${info.owner_name}`),
      h('p', { class: 'muted small' }, t('对方接受后，双方的联系方式才会互相公开。'))),
    h('div', { class: 'card' }, f.form, done));
}

function when(v) {
  return v ? new Date(v).toLocaleString('zh-CN', { hour12: false }) : '';
}

function contactsBlock(c) {
  if (!c) return null;
  const line = (label, o) => h('li', {}, `${t(label)}：${o.organization_name} · ${o.contact_name || '—'} · `
    + `${o.contact_phone || '—'} · ${o.contact_email || '—'}`);
  return h('ul', { class: 'contacts' }, line('发送方', c.requester), line('接收方', c.owner),
    c.target_contact ? h('li', {}, `${t('项目联系人')}：${c.target_contact}`) : null);
}

function requestItem(x, box, refresh) {
  const actions = h('div', { class: 'row' });
  const status = h('div');
  const act = async (path, body) => {
    try {
      await post(`/api/contact-requests/${x.id}/${path}`, body);
      await refresh();
    } catch (err) {
      status.replaceChildren(notice(errorText(err), 'error'));
    }
  };
  if (x.state === 'pending' && box === 'received') {
    const reason = h('input', { type: 'text', maxlength: 500, placeholder: t('拒绝原因（可选）'),
      'aria-label': t('拒绝原因（可选）') });
    actions.append(
      h('button', { type: 'button', class: 'small', onclick: () => act('answer', { accept: true }) }, t('接受')),
      reason,
      h('button', { type: 'button', class: 'small secondary',
        onclick: () => act('answer', { accept: false, reason: reason.value.trim() || null }) }, t('拒绝')));
  } else if (x.state === 'pending' && box === 'sent') {
    actions.append(h('button', { type: 'button', class: 'small secondary', onclick: () => act('withdraw') },
      t('撤回')));
  }
  const other = box === 'sent' ? x.to_org_name : x.from_org_name;
  return h('li', { 'data-id': x.id, 'data-state': x.state },
    h('div', { class: 'row spread' },
      h('div', {}, chip(t(KINDS[x.target_kind])), ' ', h('strong', {}, x.target_title), ' · ', other, ' ',
        chip(t(STATES[x.state]), `state-${x.state}`)),
      h('span', { class: 'muted small' }, when(x.created_at))),
    h('p', {}, x.message),
    x.proposed_times.length ? h('p', { class: 'muted small' },
      `${t('建议时间')}：${x.proposed_times.map(when).join('；')}`) : null,
    x.reason ? h('p', { class: 'muted small' }, `${t('拒绝原因')}：${x.reason}`) : null,
    contactsBlock(x.contacts), actions, status);
}

function requestList(box) {
  const list = h('ul', { class: 'list', 'data-box': box });
  async function refresh() {
    const page = await get(`/api/contact-requests?box=${box}&limit=50`);
    list.replaceChildren(...(page.items.length ? page.items.map((x) => requestItem(x, box, refresh))
      : [h('li', { class: 'muted' }, t('暂无记录'))]));
  }
  refresh().catch((err) => list.replaceChildren(notice(errorText(err), 'error')));
  return list;
}

function statsTable(title, rows, key) {
  return h('section', {}, h('h2', {}, t(title)), h('table', { class: 'table' },
    h('thead', {}, h('tr', {}, [key[1], '合计', '待答复', '已接受', '已拒绝', '已撤回'].map((c) => h('th', {}, t(c))))),
    h('tbody', {}, rows.map((r) => h('tr', {}, h('td', {}, r[key[0]] || '—'),
      ['total', 'pending', 'accepted', 'declined', 'withdrawn'].map((k) => h('td', {}, r[k])))))));
}

export async function contactsPage() {
  const s = session();
  if (!s || !s.user) {
    loginRedirect();
    return;
  }
  if (['coordinator', 'admin'].includes(s.user.role)) {
    const st = await get('/api/contact-requests/stats');
    main().replaceChildren(h('h1', {}, t('对接请求统计')),
      h('p', {}, `${t('合计')} ${st.total.total} · ${t('已接受')} ${st.total.accepted}`),
      statsTable('按城市', st.by_city, ['city', '城市']),
      statsTable('按行业', st.by_industry, ['industry_name', '行业']));
    return;
  }
  const box = new URLSearchParams(location.search).get('box');
  const panes = [['收到的', () => requestList('received')], ['发出的', () => requestList('sent')]];
  if (box === 'sent') panes.reverse();
  main().replaceChildren(h('h1', {}, t('对接请求')), tabs(panes));
}
