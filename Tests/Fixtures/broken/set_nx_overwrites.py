"""A planted bug: SET ... NX overwrites a key that exists (NX is ignored).

Real Redis behind a proxy (planted_proxy.py) that drops NX from SET.
`stage-tester --diff --stage 5` must catch it and shrink it to two commands.
Usage: python3 set_nx_overwrites.py PORT
"""
import planted_proxy


def rewrite(args):
    if args[0].upper() != b"SET":
        return None
    return [[a for a in args if a.upper() != b"NX"]], 0


planted_proxy.serve(rewrite=rewrite)
