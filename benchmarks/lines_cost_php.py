"""What measuring which PHP lines ran costs a real suite, and what it finds there.

The run with an edit of a PHP file makes every php of the tests read an ini of
:mod:`acrouter.verifier.lines_phpcov`'s (``PHP_INI_SCAN_DIR``): pcov measures the
workspace's files and our script, prepended to every php, writes what ran of the edited
ones.  This runs a PHP project of ``real_projects`` (by default Debian's
doctrine/inflector 2.0.6 under ``phpunit --bootstrap vendor/autoload.php``, fetched into
``--work`` once) plain and with the measurement of its edited file
(``Project.edit_file``, unchanged), in turn, ``--repeat`` times each, directly (no
sandbox), and prints the median wall time of each, their ratio, and how many of the
file's statement lines the suite ran.  "plain" is Debian's php as installed: pcov
loaded, enabled, measuring nothing the suite loads (its ``pcov.directory`` guessed).  The
network is used only to fetch the project, from Debian's mirror.

    .venv/bin/python benchmarks/lines_cost_php.py [--work DIR] [--only NAME] [--repeat 5]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from acrouter.verifier.lines_phpcov import PREFIX, cover_env, read_phpcov
from lines_cost_perl import cost_main


def main() -> None:
    cost_main(
        __doc__,
        "lines-cost-php",
        ("php-doctrine-inflector", "phpunit"),
        ("phpunit", "phpunit is not installed (Debian: apt-get install phpunit php-pcov)"),
        ["php", "-r", "echo 'php ', PHP_VERSION, ' pcov ', phpversion('pcov') ?: 'missing';"],
        (cover_env, read_phpcov, PREFIX),
    )


if __name__ == "__main__":
    main()
