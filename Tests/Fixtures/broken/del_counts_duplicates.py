"""A planted bug: DEL counts a key named twice twice (DEL k k answers 2).

Real Redis behind a proxy (planted_proxy.py) that answers DEL with what
EXISTS (which does count duplicates) said just before the deletion.
Usage: python3 del_counts_duplicates.py PORT
"""
import planted_proxy


def rewrite(args):
    if args[0].upper() != b"DEL" or len(args) < 2:
        return None
    return [[b"EXISTS"] + args[1:], args], 0


planted_proxy.serve(rewrite=rewrite)
