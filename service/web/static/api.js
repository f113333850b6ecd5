// JSON API client: bearer token in localStorage, problem+json errors as ApiError.
const TOKEN = 'duijie.token';
const USER = 'duijie.user';

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.errors = (problem && problem.errors) || [];
  }
}

export function session() {
  const token = localStorage.getItem(TOKEN);
  if (!token) return null;
  try {
    return { token, user: JSON.parse(localStorage.getItem(USER) || 'null') };
  } catch {
    return { token, user: null };
  }
}

export function saveSession(token, user) {
  localStorage.setItem(TOKEN, token);
  localStorage.setItem(USER, JSON.stringify(user));
}

export function clearSession() {
  localStorage.removeItem(TOKEN);
  localStorage.removeItem(USER);
}

function headers(extra) {
  const h = { Accept: 'application/json', ...extra };
  const s = session();
  if (s) h.Authorization = `Bearer ${s.token}`;
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
  const init = { method, headers: headers() };
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
  return handle(await fetch(path, { method: 'POST', headers: headers(), body: form }));
}

// Exports need the token, so they are fetched and handed to the browser as a blob.
export async function download(path, filename) {
  const r = await fetch(path, { headers: headers() });
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
