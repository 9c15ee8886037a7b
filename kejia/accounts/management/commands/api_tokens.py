"""List and revoke API tokens from the command line (an administrator's door onto the same services)."""

from django.core.management.base import BaseCommand, CommandError

from kejia.accounts.models import ApiToken, User
from kejia.accounts.services import revoke_api_token


class Command(BaseCommand):
    help = "List API tokens (not revoked) and revoke one token or all tokens of a user."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="only this username's tokens")
        parser.add_argument("--revoke", type=int, metavar="ID", help="revoke the token with this id")
        parser.add_argument("--revoke-all", action="store_true", help="revoke every token of --user")

    def handle(self, *args, user=None, revoke=None, revoke_all=False, **options):
        owner = None
        if user:
            owner = User.objects.filter(username=user).first()
            if owner is None:
                raise CommandError(f"no user named {user!r}")
        tokens = ApiToken.objects.select_related("user").filter(revoked_at__isnull=True).order_by("user__username", "-created_at")
        if owner is not None:
            tokens = tokens.filter(user=owner)
        if revoke is not None:
            token = tokens.filter(pk=revoke).first()
            if token is None:
                raise CommandError(f"no active token with id {revoke}")
            revoke_api_token(token, actor=None)
            self.stdout.write(f"revoked {token.pk} {token.prefix}… of {token.user.username}")
            return
        if revoke_all:
            if owner is None:
                raise CommandError("--revoke-all needs --user")
            count = 0
            for token in tokens:
                revoke_api_token(token, actor=None)
                count += 1
            self.stdout.write(f"revoked {count} token(s) of {owner.username}")
            return
        for token in tokens:
            state = "expired" if token.is_expired else f"expires {token.expires_at:%Y-%m-%d}"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never used"
            self.stdout.write(f"{token.pk}\t{token.user.username}\t{token.prefix}…\t{token.name or '-'}\t{state}\t{used}")
