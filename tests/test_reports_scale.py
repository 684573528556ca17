"""Start-up stays light (issue 9): the app and its command line load no spreadsheet writer and no
Twilio REST client until one is used. (Speed itself is measured in bench/report_scale.py.)"""
import subprocess
import sys

LOADED = """
import sys
from hotline import create_app
app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
app.test_cli_runner().invoke(args=["--help"])
print(",".join(name for name in ("openpyxl", "twilio.rest") if name in sys.modules))
"""


def test_the_app_starts_without_the_heavy_libraries():
    done = subprocess.run([sys.executable, "-c", LOADED], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1:] in ([""], []), done.stdout
