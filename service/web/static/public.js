// Public pages, progressive enhancement only: the industry and research-field filters get a
// type-ahead box that finds any level of the code tree by name or code (GET /api/reference/…).
// Without this script the drop-downs (门类/大类, 科学部/一级学科) work as they are.

const SOURCES = { 'f-industry': '/api/reference/industries', 'f-field': '/api/reference/fields' };

function enhance(select, url) {
  const box = document.createElement('input');
  box.type = 'search';
  box.className = 'typeahead';
  box.placeholder = select.id === 'f-field' ? '查找学科，如 催化' : '查找行业，如 钢压延';
  box.setAttribute('aria-label', box.placeholder);
  box.setAttribute('autocomplete', 'off');
  const list = document.createElement('ul');
  list.className = 'typeahead-list';
  list.hidden = true;
  select.after(box, list);
  let seq = 0;
  box.addEventListener('input', async () => {
    const q = box.value.trim();
    const mine = ++seq;
    if (!q) { list.hidden = true; return; }
    let found = [];
    try {
      const r = await fetch(`${url}?q=${encodeURIComponent(q)}&limit=10`);
      found = r.ok ? await r.json() : [];
    } catch { found = []; }
    if (mine !== seq) return;
    list.replaceChildren(...found.map((n) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = n.name;
      b.title = `${n.code}：${n.full}`;
      const small = document.createElement('small');
      small.textContent = ` ${n.level}`;
      b.append(small);
      b.addEventListener('click', () => {
        let option = [...select.options].find((o) => o.value === n.code);
        if (!option) {
          option = new Option(n.name, n.code);
          select.append(option);
        }
        select.value = n.code;
        box.value = '';
        list.hidden = true;
      });
      li.append(b);
      return li;
    }));
    list.hidden = !found.length;
  });
}

for (const [id, url] of Object.entries(SOURCES)) {
  const select = document.getElementById(id);
  if (select) enhance(select, url);
}
