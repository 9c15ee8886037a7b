from django.db import migrations

# The shipped rule sets were loaded here in their first form; they are loaded (and the first form
# converted) by 0003_exact_rules, whose fields they need.


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]
    operations = []
