"""redis-py against one of our servers: the commands a Python app would use.

Usage: python3 redis_py_check.py PORT
Exits 0 when every check passes; prints the first failure otherwise.
"""
import sys
import time

import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

assert r.ping() is True
assert r.flushall() is True
assert r.set("greeting", "hello") is True
assert r.get("greeting") == b"hello"
assert r.get("missing") is None
assert r.set("greeting", "again", nx=True) is None
assert r.set("greeting", "world", xx=True) is True
assert r.exists("greeting", "missing") == 1
assert r.delete("greeting", "missing") == 1

# Expiry: ex and px, ttl and pttl.
assert r.set("session", "abc", ex=100) is True
assert 99 <= r.ttl("session") <= 100
assert r.set("token", "xyz", px=200) is True
assert 0 < r.pttl("token") <= 200
assert r.ttl("missing") == -2
r.set("forever", "1")
assert r.ttl("forever") == -1
assert r.expire("forever", 50) is True
assert r.persist("forever") is True
time.sleep(0.3)
assert r.get("token") is None, "a key set with px=200 must be gone after 300 ms"

# A pipeline: many commands in one write, replies in order.
pipe = r.pipeline(transaction=False)
for i in range(100):
    pipe.set(f"p:{i}", i)
for i in range(100):
    pipe.get(f"p:{i}")
results = pipe.execute()
assert results[:100] == [True] * 100
assert results[100:] == [str(i).encode() for i in range(100)]

# Binary-safe values.
blob = bytes(range(256)) * 100
assert r.set(b"bin\x00key", blob) is True
assert r.get(b"bin\x00key") == blob

# Errors come back as exceptions with Redis's text.
try:
    r.execute_command("SET", "k")
    raise AssertionError("SET with one argument must fail")
except redis.ResponseError as error:
    assert str(error) == "wrong number of arguments for 'set' command", str(error)

print("redis-py: all checks passed")
