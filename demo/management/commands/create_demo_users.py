"""`python manage.py create_demo_users`: one demo account per role, passwords printed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.setup import DEMO_USERS, demo_users_ensure


class Command(BaseCommand):
    help = "Create (or reset) the demo users, one per role, and print how to log in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-passwords",
            action="store_true",
            help="Do not reset the passwords of demo users that already exist.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            users = demo_users_ensure(reset_passwords=not options["keep_passwords"])
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Demo users (for trying Knutpunkt only; never use them in production):")
        for spec in DEMO_USERS:
            user = users[spec.username]
            units = ", ".join(unit.name for unit in user.units.all()) or "-"
            organisation = user.organisation.name if user.organisation else "(all)"
            self.stdout.write(
                f"  {spec.role:<14} user: {spec.username:<14} password: "
                f"{spec.password:<18} organisation: {organisation}; units: {units}"
            )
