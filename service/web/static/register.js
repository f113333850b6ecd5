// Joining on one's own: registration, e-mail confirmation, password reset, invitations, the
// organization's review state and the coordinators' approval queue.
import { get, post, saveSession } from './api.js';
import { t } from './i18n.js';
import { errorText, h, notice, recordForm, requireUser } from './app.js';

const main = () => document.getElementById('main');
const CITIES = ['太原', '大同', '朔州', '忻州', '阳泉', '吕梁', '晋中', '长治', '晋城', '临汾', '运城', '省外'];
const APPROVAL = { pending: '待审核', approved: '已通过', returned: '已退回' };
const token = () => new URLSearchParams(location.search).get('token') || '';

function passwordInputs(f, ...names) {
  for (const n of names) {
    f.inputs[n].type = 'password';
    f.inputs[n].autocomplete = 'new-password';
  }
}

async function logIn(login, password) {
  // The session lives in an HttpOnly cookie (the page's scripts never see the token).
  const r = await post('/api/auth/login', { login, password, cookie: true });
  saveSession(r.user);
}

export function registerPage() {
  const done = h('div');
  const f = recordForm([
    { name: 'kind', label: '机构类型', type: 'select', required: true,
      options: [['enterprise', '企业'], ['university', '高校'], ['institute', '科研院所']] },
    { name: 'name', label: '机构名称', required: true },
    { name: 'credit_code', label: '统一社会信用代码（18 位）', required: true },
    { name: 'city', label: '城市', type: 'select', required: true, options: CITIES.map((c) => [c, c]) },
    { name: 'industry_code', label: '行业代码（GB/T 4754，可选）', nullable: true },
    { name: 'contact_name', label: '联系人', required: true },
    { name: 'contact_phone', label: '联系电话', required: true },
    { name: 'description', label: '机构简介', type: 'textarea' },
    { name: 'login', label: '登录名', required: true },
    { name: 'display_name', label: '姓名' },
    { name: 'email', label: '邮箱（用于确认和找回密码）', required: true },
    { name: 'password', label: '密码（至少 8 位）', required: true },
  ], {
    submitText: '注册',
    onSubmit: async (read) => {
      const body = read({ omitEmpty: false });
      const r = await post('/api/registrations', body);
      await logIn(body.login, body.password);
      f.form.hidden = true;
      done.replaceChildren(notice(r.detail),
        h('p', {}, `${t('确认邮件已发送至')} ${r.email}`),
        h('p', {}, h('a', { class: 'button', href: '/registration' }, t('查看审核状态'))));
    },
  });
  passwordInputs(f, 'password');
  f.inputs.email.type = 'email';
  main().replaceChildren(h('h1', {}, t('注册加入')),
    h('p', { class: 'muted' }, t('企业、高校或科研院所自助注册。对接专员审核通过后，本机构发布的信息才对外可见；审核期间可以先登录准备草稿。')),
    h('div', { class: 'card' }, f.form, done),
    h('p', { class: 'muted small' }, h('a', { href: '/reset-password' }, t('忘记密码？'))));
}

export async function confirmPage() {
  main().replaceChildren(h('h1', {}, t('确认邮箱')), h('p', { class: 'muted' }, '…'));
  try {
    const r = await post('/api/auth/confirm-email', { token: token() });
    main().replaceChildren(h('h1', {}, t('确认邮箱')), notice(`${t('邮箱已确认')}：${r.email}`),
      h('p', {}, h('a', { href: '/login' }, t('登录'))));
  } catch (err) {
    main().replaceChildren(h('h1', {}, t('确认邮箱')), notice(errorText(err), 'error'));
  }
}

export function resetPage() {
  const tok = token();
  const done = h('div');
  let f;
  if (!tok) {
    f = recordForm([{ name: 'email', label: '注册邮箱', required: true, wide: true }], {
      submitText: '发送重设邮件',
      onSubmit: async (read) => {
        const r = await post('/api/auth/password-reset', read({ omitEmpty: false }));
        done.replaceChildren(notice(r.detail));
      },
    });
    f.inputs.email.type = 'email';
  } else {
    f = recordForm([{ name: 'password', label: '新密码（至少 8 位）', required: true, wide: true }], {
      submitText: '设置新密码',
      onSubmit: async (read) => {
        await post('/api/auth/password-reset/confirm', { token: tok, ...read({ omitEmpty: false }) });
        f.form.hidden = true;
        done.replaceChildren(notice(t('密码已更新，其他设备上的登录已全部退出')),
          h('p', {}, h('a', { class: 'button', href: '/login' }, t('登录'))));
      },
    });
    passwordInputs(f, 'password');
  }
  main().replaceChildren(h('h1', {}, t('重设密码')), h('div', { class: 'card' }, f.form, done));
}

export function invitePage() {
  const done = h('div');
  const f = recordForm([
    { name: 'login', label: '登录名', required: true },
    { name: 'display_name', label: '姓名' },
    { name: 'password', label: '密码（至少 8 位）', required: true },
  ], {
    submitText: '加入',
    onSubmit: async (read) => {
      const body = read({ omitEmpty: false });
      await post('/api/registrations/invitations/accept', { token: token(), ...body });
      await logIn(body.login, body.password);
      f.form.hidden = true;
      done.replaceChildren(notice(t('已加入机构')), h('p', {}, h('a', { class: 'button', href: '/' }, t('首页'))));
    },
  });
  passwordInputs(f, 'password');
  main().replaceChildren(h('h1', {}, t('接受邀请')), h('div', { class: 'card' }, f.form, done));
}

// The organization's own page: its review state, resubmission, inviting colleagues.
export async function myOrganizationPage() {
  const user = requireUser(['enterprise', 'university']);
  if (!user) return;
  const reg = await get('/api/registrations/mine');
  const state = h('div', { class: 'card', id: 'approval' },
    h('p', {}, `${reg.name} · ${t('审核状态')}：`, h('strong', {}, t(APPROVAL[reg.approval_state]))),
    reg.return_reason ? h('p', {}, `${t('退回原因')}：${reg.return_reason}`) : null,
    reg.approval_state === 'pending' ? h('p', { class: 'muted small' },
      t('审核通过前，本机构及其发布的信息只有本机构和对接专员可见。')) : null);
  if (reg.approval_state === 'returned') {
    const status = h('span');
    state.append(h('button', { type: 'button', onclick: async () => {
      try {
        await post('/api/registrations/mine/resubmit');
        location.reload();
      } catch (err) {
        status.replaceChildren(notice(errorText(err), 'error'));
      }
    } }, t('修改后重新提交审核')), status);
  }
  const invite = recordForm([{ name: 'email', label: '同事的邮箱', required: true, wide: true }], {
    submitText: '发送邀请',
    onSubmit: async (read, { status }) => {
      const r = await post('/api/registrations/invitations', read({ omitEmpty: false }));
      invite.reset();
      status.append(notice(`${t('邀请邮件已发送至')} ${r.email}`));
    },
  });
  invite.inputs.email.type = 'email';
  main().replaceChildren(h('h1', {}, t('本机构')), state, h('h2', {}, t('邀请同事')),
    h('div', { class: 'card' }, invite.form));
}

// Coordinators: pending registrations, approve or return with a reason.
export async function approvalsPage() {
  const user = requireUser(['coordinator', 'admin']);
  if (!user) return;
  const list = h('ul', { class: 'list', id: 'registrations' });
  async function refresh() {
    const page = await get('/api/registrations?state=pending&limit=100');
    list.replaceChildren(...(page.items.length ? page.items.map((o) => {
      const reason = h('input', { type: 'text', maxlength: 500, placeholder: t('退回原因'),
        'aria-label': t('退回原因') });
      const status = h('div');
      const act = async (path, body) => {
        try {
          await post(`/api/registrations/${o.id}/${path}`, body);
          await refresh();
        } catch (err) {
          status.replaceChildren(notice(errorText(err), 'error'));
        }
      };
      return h('li', { 'data-id': o.id },
        h('div', {}, h('strong', {}, o.name), ` · ${o.credit_code || ''} · ${o.city} · ${o.industry_code || ''}`),
        h('p', { class: 'muted small' }, `${o.contact_name || ''} ${o.contact_phone || ''} · ${o.first_login || ''} `
          + `${o.first_email || ''}`),
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'small', onclick: () => act('approve') }, t('审核通过')),
          reason,
          h('button', { type: 'button', class: 'small secondary',
            onclick: () => act('return', { reason: reason.value }) }, t('退回'))),
        status);
    }) : [h('li', { class: 'muted' }, t('暂无待审核的注册'))]));
  }
  main().replaceChildren(h('h1', {}, t('注册审核')), list);
  await refresh();
}
