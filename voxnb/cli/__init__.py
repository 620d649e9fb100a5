"""The `voxnb` command: the parser and dispatch in ``commands``, a module per larger command beside it."""


def main(argv=None) -> int:
    from .commands import main as run

    return run(argv)
