"""Public pages: the halls (需求大厅, 成果大厅, 岗位, 人才), detail pages with recommendations, the
catalogue (print page and XLSX), sitemap.xml and robots.txt, rendered on the server for
anonymous visitors.

The handlers are in :mod:`service.web.public`; here ``service`` shapes what a page shows,
``params`` parses the pages' query strings, ``repository`` holds the SQL (with the one
visibility rule of :mod:`service.domain.access`). Templates live in
``templates/``; the stylesheet is ``service/web/static/public.css``.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


def template_config():
    """Jinja with autoescaping on, for the app's ``template_config``."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from litestar.plugins.jinja import JinjaTemplateEngine
    from litestar.template.config import TemplateConfig

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_ordinal"] = lambda n: "一二三四五六七八九十"[n - 1] if 1 <= n <= 10 else str(n)
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(env))
