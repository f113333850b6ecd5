"""The closed vocabularies of Duijie, declared once.

Each vocabulary is a ``Literal`` (so a msgspec Struct that uses it rejects an unknown value with
the field's name) and the tuple of its values in display order, derived from the ``Literal`` with
:func:`typing.get_args`. The engine (``matching.records``) and the service
(``service.domain.types``, ``service.reference``) import them from here; the SQL ``CHECK``
constraints of the migrations must list the same values, which
``tests/test_vocab.py`` checks against ``pg_constraint`` in the test database.

>>> CITIES[0], ALL_CITIES[-1], len(CITIES)
('太原', '省外', 11)
>>> "委托开发" in COOPERATION_MODES and EDUCATION_LEVELS[-1]
'博士'
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ALL_CITIES",
    "CAPABILITY_KINDS",
    "CITIES",
    "COOPERATION_MODES",
    "EDUCATION_LEVELS",
    "ENTERPRISE_TAGS",
    "ORG_KINDS",
    "OUT_OF_PROVINCE",
    "STATUSES",
    "CapabilityKind",
    "City",
    "CooperationMode",
    "Education",
    "EnterpriseTag",
    "OrgKind",
    "ProvinceCity",
    "Status",
]

#: The province's eleven prefecture-level cities.
ProvinceCity = Literal[
    "太原", "大同", "朔州", "忻州", "阳泉", "吕梁", "晋中", "长治", "晋城", "临汾", "运城"
]  # fmt: skip
#: A record's city: one of the eleven, or 省外 for everything outside the province.
City = Literal[ProvinceCity, "省外"]
OrgKind = Literal["enterprise", "university", "institute", "agency"]
#: A need's, job's, capability's or talent pool's publication status.
Status = Literal["draft", "published", "closed"]
Education = Literal["大专", "本科", "硕士", "博士"]
CapabilityKind = Literal["expertise", "achievement", "equipment"]
CooperationMode = Literal[
    "委托开发", "合作开发", "技术转让", "技术许可", "技术咨询", "技术服务", "共建研发平台"
]  # fmt: skip
EnterpriseTag = Literal[
    "专精特新", '专精特新"小巨人"', "高新技术企业", "科技型中小企业", "创新型中小企业"
]  # fmt: skip

CITIES: tuple[str, ...] = get_args(ProvinceCity)
OUT_OF_PROVINCE = "省外"
ALL_CITIES: tuple[str, ...] = get_args(City)
ORG_KINDS: tuple[str, ...] = get_args(OrgKind)
STATUSES: tuple[str, ...] = get_args(Status)
EDUCATION_LEVELS: tuple[str, ...] = get_args(Education)
CAPABILITY_KINDS: tuple[str, ...] = get_args(CapabilityKind)
COOPERATION_MODES: tuple[str, ...] = get_args(CooperationMode)
ENTERPRISE_TAGS: tuple[str, ...] = get_args(EnterpriseTag)
