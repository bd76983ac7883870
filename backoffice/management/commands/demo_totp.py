import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice.demo import demo_totp_key


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo login (DEBUG only; demo keys are public)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **opts):
        if not settings.DEBUG:
            raise CommandError("demo_totp works only with DEBUG=True.")
        key = demo_totp_key(opts["username"])
        if not TOTPDevice.objects.filter(user__username=opts["username"], key=key).exists():
            raise CommandError(f"{opts['username']!r} has no demo authenticator (only seed_demo logins do).")
        code = totp(bytes.fromhex(key), step=30, t0=0, digits=6)
        left = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}")
        self.stderr.write(f"(valid for about {left} more seconds)")
