"""``python -m leadcore`` runs the command line."""

from __future__ import annotations


def main() -> None:
    """Run the ``leadcore`` command."""
    from leadcore.adapters.cli.app import app

    app()


if __name__ == "__main__":
    main()
