"""Run tap as ``python -m totalaudio``."""

from totalaudio.cli.main import main

if __name__ == "__main__":
    main()
