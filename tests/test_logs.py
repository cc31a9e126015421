"""initgate/logs.py: loggers that import the logging module only when a
message could reach a handler, each check in an interpreter of its own."""

import subprocess
import sys


def run_python(code):
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_quiet_messages_do_not_import_logging():
    proc = run_python(
        "import sys\n"
        "from initgate import logs\n"
        "logs.before_first_message(lambda: print('configured'))\n"
        "log = logs.logger('initgate.test')\n"
        "log.debug('d %s', 1)\n"
        "log.info('i %s', 2)\n"
        "print('logging' in sys.modules)\n")
    assert proc.stdout == "False\n" and proc.stderr == ""


def test_a_warning_configures_logging_once_then_goes_through():
    proc = run_python(
        "import sys\n"
        "from initgate import logs\n"
        "def setup():\n"
        "    import logging\n"
        "    print('configured')\n"
        "    handler = logging.StreamHandler(sys.stdout)\n"
        "    handler.setFormatter(logging.Formatter('%(levelname)s %(name)s: %(message)s'))\n"
        "    logging.getLogger('initgate').addHandler(handler)\n"
        "    logging.getLogger('initgate').setLevel(logging.INFO)\n"
        "logs.before_first_message(setup)\n"
        "first, second = logs.logger('initgate.a'), logs.logger('initgate.b')\n"
        "first.warning('w %s', 1)\n"
        "second.error('e %s', 2)\n"
        "second.info('i %s', 3)\n"
        "first.debug('below the level')\n")
    assert proc.stdout.splitlines() == [
        "configured", "WARNING initgate.a: w 1", "ERROR initgate.b: e 2",
        "INFO initgate.b: i 3"]


def test_without_setup_a_warning_reaches_the_last_resort():
    proc = run_python(
        "from initgate import logs\n"
        "logs.logger('initgate.x').warning('plain %s', 'warning')\n")
    assert proc.stderr == "plain warning\n"


def test_messages_go_through_once_logging_is_configured_elsewhere():
    proc = run_python(
        "import logging, sys\n"
        "logging.basicConfig(stream=sys.stdout, level=logging.DEBUG, format='%(message)s')\n"
        "from initgate import logs\n"
        "logs.logger('initgate.y').debug('debug %s', 'seen')\n")
    assert proc.stdout == "debug seen\n"


def test_configuring_again_keeps_one_handler_on_the_stderr_of_now():
    # rewrite's late -v configures logging a second time.
    proc = run_python(
        "import io, sys\n"
        "from initgate import cli, logs\n"
        "cli.configure_logging(1)\n"
        "sys.stderr = io.StringIO()\n"
        "log = cli.configure_logging(2)\n"
        "logs.logger('initgate.test').debug('to the new stderr')\n"
        "said, sys.stderr = sys.stderr.getvalue(), sys.__stderr__\n"
        "print(len(log.handlers), repr(said))\n")
    assert proc.stdout == "1 'initgate: to the new stderr\\n'\n", proc.stderr
