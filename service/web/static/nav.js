// Where to go after login: only a path on this site. `?next=` comes from the address bar, so it
// is hostile input: `/\evil.example/` and `/%09/evil.example/` look like paths but browsers read
// them as `//evil.example/` (a backslash is a slash; tabs and newlines are dropped).

// A same-origin path, or null. Rejects control characters, backslashes, `//` and schemes, and
// anything the URL parser would resolve to another origin.
export function safeNext(next, origin) {
  if (typeof next !== 'string' || next.length > 2000) return null;
  if (!next.startsWith('/') || next.startsWith('//')) return null;
  // C0 controls, space, DEL, C1 controls; and backslashes anywhere.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(next)) return null;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== new URL(origin).origin) return null;
  return url.pathname + url.search + url.hash;
}
