"""The five resource collections under ``/api`` (their list filters are declared on each
:class:`~service.domain.crud.Resource`)."""

# No ``from __future__ import annotations``: Litestar reads these signatures at runtime.

from service.api.crud import crud_controller
from service.domain import capabilities, jobs, needs, organizations, talent_pools

CONTROLLERS = [
    crud_controller(organizations.RESOURCE, "/api/organizations", "机构"),
    crud_controller(needs.RESOURCE, "/api/needs", "研发需求"),
    crud_controller(jobs.RESOURCE, "/api/jobs", "招聘岗位"),
    crud_controller(capabilities.RESOURCE, "/api/capabilities", "科研能力"),
    crud_controller(talent_pools.RESOURCE, "/api/talent-pools", "人才库"),
]
