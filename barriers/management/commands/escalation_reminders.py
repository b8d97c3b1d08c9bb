"""`python manage.py escalation_reminders`: the older name of `send_reminders`, kept so a
server's scheduled unit from before keeps working."""

from barriers.management.commands.send_reminders import Command as SendReminders


class Command(SendReminders):
    help = "Older name of send_reminders (which see); " + SendReminders.help
