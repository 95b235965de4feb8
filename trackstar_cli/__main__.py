from __future__ import annotations

from trackstar_cli._entry import main

if __name__ == "__main__":
    main()
