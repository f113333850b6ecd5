"""The self-service controllers of issue #12 (joining, contact requests, the inbox), in one list
so the app factory adds them with one line."""

from service.api.contacts import CONTROLLERS as CONTACT_CONTROLLERS
from service.api.notifications import CONTROLLERS as NOTIFICATION_CONTROLLERS
from service.api.registrations import CONTROLLERS as REGISTRATION_CONTROLLERS

CONTROLLERS = [*NOTIFICATION_CONTROLLERS, *REGISTRATION_CONTROLLERS, *CONTACT_CONTROLLERS]
TAGS = ("注册", "对接请求", "通知")
