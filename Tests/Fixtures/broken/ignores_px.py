"""A planted bug: SET ignores PX (the key gets no TTL at all).

Real Redis behind a proxy (planted_proxy.py) that drops PX and its
argument from SET; EX, EXAT and PXAT still work.
Usage: python3 ignores_px.py PORT
"""
import planted_proxy


def rewrite(args):
    if args[0].upper() != b"SET":
        return None
    kept, index = [], 0
    while index < len(args):
        if index >= 3 and args[index].upper() == b"PX":
            index += 2
            continue
        kept.append(args[index])
        index += 1
    return [kept], 0


planted_proxy.serve(rewrite=rewrite)
