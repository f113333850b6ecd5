// JSON API client: the session is an HttpOnly cookie the page cannot read (set by login with
// {cookie: true}); every write echoes the readable CSRF cookie in X-CSRF-Token. Only the user's
// name and role are kept in localStorage, to draw the page. problem+json errors as ApiError.
const USER = 'duijie.user';
const CSRF_COOKIE = 'duijie_csrf';
// Tokens kept here by earlier versions are removed: a script must never see one.
localStorage.removeItem('duijie.token');

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || [];
  }
}

function csrf() {
  const pair = document.cookie.split('; ').find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return pair ? decodeURIComponent(pair.slice(CSRF_COOKIE.length + 1)) : null;
}

export function session() {
  if (!csrf()) return null;
  try {
    const user = JSON.parse(localStorage.getItem(USER) || 'null');
    return user ? { user } : null;
  } catch {
    return null;
  }
}

export function saveSession(user) {
  localStorage.setItem(USER, JSON.stringify(user));
}

export function clearSession() {
  localStorage.removeItem(USER);
}

function headers(method, extra) {
  const h = { Accept: 'application/json', ...extra };
  const token = csrf();
  if (token && method !== 'GET' && method !== 'HEAD') h['X-CSRF-Token'] = token;
  return h;
}

async function handle(r) {
  const type = r.headers.get('content-type') || '';
  const body = r.status === 204 ? null : type.includes('json') ? await r.json() : await r.text();
  if (!r.ok) {
    if (r.status === 401 && session()) {
      clearSession();
    }
    throw new ApiError(r.status, typeof body === 'object' ? body : { detail: body });
  }
  return body;
}

export async function api(method, path, body) {
  const init = { method, headers: headers(method), credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  return handle(await fetch(path, init));
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b);
export const patch = (p, b) => api('PATCH', p, b);

export async function upload(path, form) {
  return handle(await fetch(path, { method: 'POST', headers: headers('POST'), body: form, credentials: 'same-origin' }));
}

// Exports are fetched (with the session cookie) and handed to the browser as a blob.
export async function download(path, filename) {
  const r = await fetch(path, { headers: headers('GET'), credentials: 'same-origin' });
  if (!r.ok) return handle(r);
  const url = URL.createObjectURL(await r.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
