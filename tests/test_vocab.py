"""Each vocabulary is declared once (matching/vocab.py): the SQL CHECK constraints in the migrated
test database list the same values, and the service's types are the vocabulary's own."""

import re

import pytest

from matching import records, vocab

# (table, column) -> the vocabulary its CHECK constraint must list.
CHECKED = {
    ("organizations", "kind"): vocab.ORG_KINDS,
    ("rd_needs", "status"): vocab.STATUSES,
    ("job_openings", "status"): vocab.STATUSES,
    ("capabilities", "status"): vocab.STATUSES,
    ("talent_pools", "status"): vocab.STATUSES,
    ("job_openings", "min_education"): vocab.EDUCATION_LEVELS,
    ("talent_pools", "degree_level"): vocab.EDUCATION_LEVELS,
    ("capabilities", "kind"): vocab.CAPABILITY_KINDS,
}

_IN = re.compile(r"\(\(?(\w+) = ANY \(ARRAY\[(.*?)\]\)\)")
_VALUE = re.compile(r"'((?:[^']|'')*)'::text")


def check_values(definition: str) -> dict[str, tuple[str, ...]]:
    """``CHECK ((kind = ANY (ARRAY['a'::text, 'b'::text])))`` -> ``{"kind": ("a", "b")}``."""
    return {
        m[1]: tuple(v.replace("''", "'") for v in _VALUE.findall(m[2]))
        for m in _IN.finditer(definition)
    }


def test_check_values_parses_what_postgresql_prints():
    got = check_values("CHECK ((kind = ANY (ARRAY['a'::text, 'it''s'::text])))")
    assert got == {"kind": ("a", "it's")}


async def test_sql_checks_list_the_vocabularies(conn):
    rows = await conn.fetch(
        "SELECT conrelid::regclass::text AS tbl, pg_get_constraintdef(oid) AS def"
        " FROM pg_constraint WHERE contype = 'c'"
    )
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for row in rows:
        for column, values in check_values(row["def"]).items():
            if (row["tbl"], column) in CHECKED:
                found[(row["tbl"], column)] = values
    assert set(found) == set(CHECKED), "a CHECK constraint the vocabulary pins is gone"
    for key, values in found.items():
        assert set(values) == set(CHECKED[key]), key


@pytest.mark.parametrize(
    ("service_name", "vocab_name"),
    [
        ("City", "City"),
        ("OrgKind", "OrgKind"),
        ("Status", "Status"),
        ("Education", "Education"),
        ("CapabilityKind", "CapabilityKind"),
        ("CooperationMode", "CooperationMode"),
        ("EnterpriseTag", "EnterpriseTag"),
    ],
)
def test_the_service_types_are_the_vocabularys(service_name, vocab_name):
    from service.domain import types

    assert getattr(types, service_name) is getattr(vocab, vocab_name)


def test_the_engine_and_the_reference_data_use_the_same_tuples():
    from service import reference

    assert records.CITIES is vocab.CITIES and reference.CITIES is vocab.CITIES
    assert records.COOPERATION_MODES is vocab.COOPERATION_MODES is reference.COOPERATION_MODES
    assert records.EDUCATION_LEVELS is vocab.EDUCATION_LEVELS is reference.EDUCATION_LEVELS
    assert vocab.ALL_CITIES == (*vocab.CITIES, vocab.OUT_OF_PROVINCE)
