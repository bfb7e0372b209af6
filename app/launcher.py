"""The `descent-lab` console script: start the app with `streamlit run`."""

from __future__ import annotations

import sys
from pathlib import Path

ENTRY = Path(__file__).resolve().parent / "streamlit_app.py"


def main(argv: list[str] | None = None) -> None:
    """Run the Streamlit app; extra arguments go to `streamlit run` (e.g. --server.port 8502)."""
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ENTRY), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
