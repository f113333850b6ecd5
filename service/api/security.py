"""The hardening endpoints of issue #15 in one list for the app factory: the audit log and
organization change requests."""

from service.api.audit import CONTROLLERS as AUDIT_CONTROLLERS
from service.api.org_changes import CONTROLLERS as ORG_CHANGE_CONTROLLERS

CONTROLLERS = [*AUDIT_CONTROLLERS, *ORG_CHANGE_CONTROLLERS]
