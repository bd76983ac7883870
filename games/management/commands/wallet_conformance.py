from django.core.management.base import BaseCommand, CommandError

from games.conformance import ConformanceKit


class Command(BaseCommand):
    help = ("Replay every edge case of the wallet contract against a wallet endpoint and print pass/fail per case. "
            "The token's player needs a balance of at least 5; the kit moves a few units and leaves the rest.")

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="Base URL, e.g. http://localhost:8000")
        parser.add_argument("--provider", required=True, help="Provider code")
        parser.add_argument("--secret", required=True, help="The provider's signing secret")
        parser.add_argument("--token", required=True, help="A live game-session token")
        parser.add_argument("--game", default="", help="Game id (default: the one authenticate names)")
        parser.add_argument("--expired-token", default="",
                            help="An expired session of the same player (runs the win/rollback-after-expiry case)")

    def handle(self, *args, **opts):
        try:
            kit = ConformanceKit(url=opts["url"], provider=opts["provider"], secret=opts["secret"],
                                 token=opts["token"], game=opts["game"], expired_token=opts["expired_token"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        def show(case):
            if case.skipped:
                label = self.style.WARNING("SKIP")
            else:
                label = self.style.SUCCESS("PASS") if case.ok else self.style.ERROR("FAIL")
            self.stdout.write(f"{label}  {case.name}{'  — ' + case.detail if case.detail else ''}")

        results = kit.run(progress=show)
        failed = [c for c in results if not c.ok]
        skipped = [c for c in results if c.skipped]
        passed = len(results) - len(failed) - len(skipped)
        self.stdout.write(f"\n{passed} passed, {len(failed)} failed, {len(skipped)} skipped of {len(results)} cases.")
        if failed:
            raise CommandError(f"{len(failed)} conformance case(s) failed.")
