"""Valid request bodies for tests, built so each test only states what it changes."""

from __future__ import annotations

import itertools

from service.reference import credit_code_check_char

_serial = itertools.count(1)


def credit_code(division: str = "140100") -> str:
    """A fresh valid unified social credit code (GB 32100-2015) for a Shanxi company."""
    body = f"91{division}{next(_serial):09d}"[:17]
    return body + credit_code_check_char(body)


def enterprise(**over) -> dict:
    return {
        "kind": "enterprise",
        "name": "太原晋材新材料科技有限公司",
        "credit_code": credit_code(),
        "city": "太原",
        "industry_code": "C3091",
        "tags": ["专精特新"],
        "description": "碳纤维复合材料研发与生产",
    } | over


def university(**over) -> dict:
    return {"kind": "university", "name": "太原理工大学", "city": "太原"} | over


def need(owner_id: int, **over) -> dict:
    return {
        "owner_id": owner_id,
        "title": "煤焦油加氢催化剂寿命提升",
        "description": "现有加氢催化剂运行 3 个月后活性下降 30%，希望延长至 12 个月以上。",
        "keywords": ["煤焦油", "加氢", "催化剂"],
        "field_codes": ["B06"],
        "cooperation_modes": ["合作开发"],
        "budget_min": 300000,
        "budget_max": 800000,
        "status": "published",
    } | over


def job(owner_id: int, **over) -> dict:
    return {
        "owner_id": owner_id,
        "title": "数据分析工程师",
        "description": "负责生产数据分析与报表",
        "skills": ["Python", "SQL"],
        "majors": ["数据科学与大数据技术"],
        "min_education": "本科",
        "headcount": 2,
        "city": "太原",
        "salary_min": 6000,
        "salary_max": 10000,
        "status": "published",
    } | over


def capability(owner_id: int, **over) -> dict:
    return {
        "owner_id": owner_id,
        "kind": "expertise",
        "title": "煤化工催化团队",
        "description": "长期从事煤焦油加氢与费托合成催化剂研究",
        "keywords": ["煤焦油", "加氢", "催化剂"],
        "field_codes": ["B06"],
        "cooperation_modes": ["合作开发", "技术咨询"],
        "capacity": 2,
        "status": "published",
    } | over


def talent_pool(owner_id: int, **over) -> dict:
    return {
        "owner_id": owner_id,
        "major_name": "化学工程与工艺",
        "major_code": "081301",
        "degree_level": "本科",
        "graduation_year": 2027,
        "graduates": 120,
        "skills": ["化工原理", "Aspen"],
        "city": "太原",
    } | over
