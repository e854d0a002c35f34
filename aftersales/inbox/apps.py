from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "aftersales.inbox"
    label = "inbox"
    verbose_name = "Inbox"
