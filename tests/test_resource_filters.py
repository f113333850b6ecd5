"""List filters are declared once, on each Resource: the API's query parameters come from them."""

from service.domain import capabilities, jobs, needs, organizations, talent_pools


def test_the_documented_list_parameters_are_the_resource_filters():
    from service.app import create_app

    schema = create_app("postgresql://unused@127.0.0.1/unused").openapi_schema.to_schema()
    for path, resource in (
        ("/api/organizations", organizations.RESOURCE),
        ("/api/needs", needs.RESOURCE),
        ("/api/jobs", jobs.RESOURCE),
        ("/api/capabilities", capabilities.RESOURCE),
        ("/api/talent-pools", talent_pools.RESOURCE),
    ):
        params = schema["paths"][path]["get"]["parameters"]
        names = {p["name"] for p in params if p["in"] == "query"}
        assert names == {"q", "limit", "offset", *(f.param for f in resource.filters)}, path
        for f in resource.filters:
            doc = next(p for p in params if p["name"] == f.param)
            assert doc.get("required") is not True
            if f.description:
                assert doc["description"] == f.description
