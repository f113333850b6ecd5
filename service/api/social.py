"""The self-service controllers of issue #12 (joining, contact requests, the inbox), in one list
so the app factory adds them with one line."""

from service.api.notifications import CONTROLLERS as NOTIFICATION_CONTROLLERS

CONTROLLERS = [*NOTIFICATION_CONTROLLERS]
TAGS = ("通知",)
