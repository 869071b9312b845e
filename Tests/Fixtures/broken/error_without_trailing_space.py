"""A planted bug: the unknown-command error lacks Redis's trailing space.

Redis ends `-ERR unknown command 'FOO', with args beginning with: 'a' ` with
a space before \r\n (every argument is followed by one). This proxy in front
of real Redis (planted_proxy.py) strips it.
Usage: python3 error_without_trailing_space.py PORT
"""
import planted_proxy


def reply(args, raw):
    if raw.startswith(b"-ERR unknown command") and raw.endswith(b" \r\n"):
        return raw[:-3] + b"\r\n"
    return raw


planted_proxy.serve(reply=reply)
