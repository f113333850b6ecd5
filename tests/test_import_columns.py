"""The import templates' columns follow the resources' create Structs (service/imports)."""

import msgspec

from service.imports.service import KINDS


def test_every_column_is_a_field_of_the_create_struct_and_converts_by_its_type():
    for kind, (resource, columns) in KINDS.items():
        fields = {f.name: f.type for f in msgspec.inspect.type_info(resource.create).fields}
        for col in columns:
            assert col.field in fields, (kind, col.field)
    types = {(k, c.field): c.type for k, (_, cols) in KINDS.items() for c in cols}
    assert types[("needs", "budget_min")] == "int"  # Yuan | None
    assert types[("needs", "keywords")] == "list"
    assert types[("needs", "deadline")] == "date"
    assert types[("needs", "is_challenge")] == "bool"
    assert types[("needs", "status")] == "status"  # the Status Literal, by its Chinese name
    assert types[("capabilities", "kind")] == "capability_kind"
    assert types[("jobs", "min_education")] == "str"  # other Literals are taken as written
    assert types[("talent-pools", "graduation_year")] == "int"
