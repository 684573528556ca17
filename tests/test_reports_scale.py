"""Start-up stays light (issue 9): the app and its command line load no spreadsheet writer, PDF or
chart library, Twilio REST client or migration tool (Alembic) until one is used. (Speed itself is measured in
bench/report_scale.py.)"""

import subprocess
import sys

LOADED = """
import sys
from hotline import create_app
app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://"})
app.test_cli_runner().invoke(args=["--help"])
print(",".join(name for name in ("openpyxl", "twilio.rest", "fpdf", "matplotlib", "alembic", "flask_migrate",
                                 "requests", "icalendar") if name in sys.modules))
"""


def test_the_app_starts_without_the_heavy_libraries():
    done = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1:] in ([""], []), done.stdout


MIGRATED = """
import sys, tempfile
from hotline import create_app
folder = tempfile.mkdtemp()
app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/h.db"})
result = app.test_cli_runner().invoke(args=["db", "upgrade"])
assert result.exit_code == 0, result.output
result = app.test_cli_runner().invoke(args=["db", "check"])
print(result.exit_code, "alembic" in sys.modules)
"""


def test_the_migration_commands_load_alembic_when_they_run():
    done = subprocess.run([sys.executable, "-c", MIGRATED], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 True", done.stdout + done.stderr
