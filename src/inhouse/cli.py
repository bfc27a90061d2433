"""The ``inhouse`` command: Django's management commands under one name.

``inhouse import-org`` runs the ``import_org`` management command, so every
sub-command is an ordinary management command living in the app it belongs to.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    arguments = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "inhouse.settings")
    if len(arguments) > 1 and not arguments[1].startswith("-"):
        arguments[1] = arguments[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(arguments)


if __name__ == "__main__":
    main()
