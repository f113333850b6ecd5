// The in-app inbox: the unread badge in the header (polled every 30 s), the /inbox page and the
// e-mail switch.
import { get, patch, post, session } from './api.js';
import { t } from './i18n.js';
import { errorText, h, notice } from './app.js';

const POLL_MS = 30_000;
const main = () => document.getElementById('main');

async function refreshBadge(badge) {
  try {
    const { unread } = await get('/api/notifications/unread-count');
    badge.textContent = unread > 99 ? '99+' : String(unread);
    badge.hidden = unread === 0;
    badge.closest('a').title = `${unread} ${t('条未读通知')}`;
  } catch {
    /* logged out or offline: keep the last count */
  }
}

/** Header links: 通知 with its unread badge and 对接请求 (logged in), 注册 (logged out). */
export function mountHeader() {
  const bar = document.querySelector('.top-actions');
  if (!bar || document.getElementById('inbox-link')) return;
  const s = session();
  if (!s || !s.user) {
    bar.insertBefore(h('a', { href: '/register', id: 'register-link' }, t('注册加入')), document.getElementById('who'));
    return;
  }
  const badge = h('span', { class: 'badge', id: 'unread-badge', hidden: true }, '0');
  const link = h('a', { href: '/inbox', id: 'inbox-link' }, t('通知'), ' ', badge);
  const links = [link];
  if (['enterprise', 'university'].includes(s.user.role)) {
    links.push(h('a', { href: '/contacts', id: 'contacts-link' }, t('对接请求')),
      h('a', { href: '/registration', id: 'org-link' }, t('本机构')));
  } else {
    links.push(h('a', { href: '/contacts' }, t('对接统计')), h('a', { href: '/registrations' }, t('注册审核')));
  }
  for (const l of links) bar.insertBefore(l, document.getElementById('who'));
  refreshBadge(badge);
  setInterval(() => { if (!document.hidden) refreshBadge(badge); }, POLL_MS);
  document.addEventListener('duijie:read', () => refreshBadge(badge));
}

function when(v) {
  return new Date(v).toLocaleString('zh-CN', { hour12: false });
}

function emailSwitch() {
  const box = h('div', { class: 'card' });
  get('/api/users/me/preferences').then((p) => {
    const input = h('input', { type: 'checkbox', id: 'email-switch' });
    input.checked = p.email_notifications;
    const status = h('span', { class: 'muted small' });
    input.addEventListener('change', async () => {
      try {
        await patch('/api/users/me/preferences', { email_notifications: input.checked });
        status.textContent = t('已保存');
      } catch (err) {
        input.checked = !input.checked;
        status.textContent = errorText(err);
      }
    });
    box.replaceChildren(h('div', { class: 'row' }, input,
      h('label', { for: 'email-switch' }, t('同时用邮件通知我')), status),
    h('p', { class: 'muted small' }, p.email
      ? `${p.email}${p.email_confirmed ? '' : `（${t('尚未确认，确认后才会收到邮件')}）`}`
      : t('账号没有邮箱，只在站内通知')));
  }).catch((err) => box.replaceChildren(notice(errorText(err), 'error')));
  return box;
}

export async function inboxPage() {
  const s = session();
  if (!s || !s.user) {
    location.replace(`/login?next=${encodeURIComponent('/inbox')}`);
    return;
  }
  const list = h('ul', { class: 'list', id: 'inbox' });
  let unreadOnly = false;
  async function refresh() {
    const page = await get(`/api/notifications?limit=50${unreadOnly ? '&unread=true' : ''}`);
    list.replaceChildren(...(page.items.length ? page.items.map((n) => h('li', {
      class: n.read_at ? 'read' : 'unread', 'data-id': n.id },
    h('div', { class: 'row spread' },
      h('strong', {}, n.link ? h('a', { href: n.link, onclick: () => post(`/api/notifications/${n.id}/read`) }, n.title)
        : n.title),
      h('span', { class: 'muted small' }, when(n.created_at))),
    n.body ? h('p', {}, n.body) : null,
    n.read_at ? null : h('button', { type: 'button', class: 'small secondary', onclick: async () => {
      await post(`/api/notifications/${n.id}/read`);
      document.dispatchEvent(new Event('duijie:read'));
      await refresh();
    } }, t('标为已读'))))
      : [h('li', { class: 'muted' }, t('暂无通知'))]));
  }
  const filter = h('input', { type: 'checkbox', id: 'unread-only' });
  filter.addEventListener('change', () => { unreadOnly = filter.checked; refresh(); });
  main().replaceChildren(h('h1', {}, t('通知')),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'read-all', onclick: async () => {
        await post('/api/notifications/read-all');
        document.dispatchEvent(new Event('duijie:read'));
        await refresh();
      } }, t('全部标为已读')),
      filter, h('label', { for: 'unread-only' }, t('只看未读'))),
    list, h('h2', {}, t('邮件通知')), emailSwitch());
  await refresh();
}
