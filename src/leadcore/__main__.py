"""``python -m leadcore`` runs the command line."""

from __future__ import annotations


def main() -> None:
    """Run the ``leadcore`` command."""
    from leadcore.adapters.cli.app import run  # the library does not import the CLI

    run()


if __name__ == "__main__":
    main()
