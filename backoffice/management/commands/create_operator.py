from django.core.management.base import BaseCommand, CommandError

from backoffice.exceptions import ApplicationError
from backoffice.roles import ROLES
from backoffice.services import operator_create


class Command(BaseCommand):
    help = "Create an operator staff login in one role. Prints the password when it generates one."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=list(ROLES), help="Operator role (a Django group).")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", default=None, help="Set this password instead of generating one.")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, **opts):
        try:
            user, password = operator_create(username=opts["username"], email=opts["email"], role=opts["role"],
                                             password=opts["password"], first_name=opts["first_name"],
                                             last_name=opts["last_name"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {opts['role']} login {user.username!r}."))
        if not opts["password"]:
            self.stdout.write(f"Password: {password}")
        self.stdout.write("Two-factor enrolment is asked for at the first sign-in.")
