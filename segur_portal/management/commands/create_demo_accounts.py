from django.core.management.base import BaseCommand

from segur_portal.demo.accounts import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create (or refresh) the verified demo accounts. For local use only."

    def handle(self, *args, **options):
        users = create_demo_accounts()
        width = max(len(user.email) for user in users)
        self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
        for user in users:
            self.stdout.write(f"  {user.email:<{width}}  {user.get_role_display()}")
