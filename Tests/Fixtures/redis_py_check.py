"""redis-py against one of our servers: the commands a Python app would use.

Usage: python3 redis_py_check.py PORT [--stage N]
Runs the checks of the stages up to N (default 6): strings, expiry and a
pipeline (stage 6); lists and blocking pops (stage 7); transactions (stage 8):
a pipeline with transaction=True, errors inside EXEC and while queueing,
WatchError, and r.transaction() retrying after another client changed the
watched key; pub/sub (stage 9): pubsub() with subscribe and psubscribe,
get_message(timeout=...) and listen(), once in RESP2 and once with protocol=3.
Stages 7 to 9 also print one line per step, `step NAME: RESULT` (stage 8's
names begin with `tx `, stage 9's with `ps2 ` and `ps3 `, the protocol), for
InteropTests to compare with the lines that redis-server gives.
Exits 0 when every check passes; prints the first failure otherwise.
"""
import sys
import threading
import time

import redis

port = int(sys.argv[1])
stage = int(sys.argv[sys.argv.index("--stage") + 1]) if "--stage" in sys.argv else 6
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


def step(name, call, expected=None):
    """Run one step and print `step NAME: RESULT` (an exception's class and text);
    with `expected`, the result must also be that."""
    try:
        result = call()
    except redis.RedisError as error:
        result = f"{type(error).__name__}: {error}"
    print(f"step {name}: {result!r}", flush=True)
    if expected is not None:
        assert result == expected, f"{name}: expected {expected!r}, got {result!r}"
    return result


def push_later(key, value, delay):
    """From a second client, in a thread: push `value` to `key` after `delay` seconds."""
    def push():
        time.sleep(delay)
        redis.Redis(host="127.0.0.1", port=port, socket_timeout=5).rpush(key, value)
    thread = threading.Thread(target=push)
    thread.start()
    return thread


def timed(call):
    """The result of `call`, and how many seconds it took."""
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


if stage >= 7:
    assert r.flushall() is True
    step("rpush", lambda: r.rpush("list", "a", "b", "c", "a", "d", "a"), 6)
    step("lpush", lambda: r.lpush("list", "z"), 7)
    step("lrange all", lambda: r.lrange("list", 0, -1), [b"z", b"a", b"b", b"c", b"a", b"d", b"a"])
    step("lrange past the ends", lambda: r.lrange("list", -100, 100))
    step("llen", lambda: r.llen("list"), 7)
    step("lindex -1", lambda: r.lindex("list", -1), b"a")

    # LPOS: the first match, with RANK (negative: from the tail), COUNT
    # (0: every match) and MAXLEN (how many elements to look at).
    step("lpos a", lambda: r.lpos("list", "a"), 1)
    step("lpos a rank 2", lambda: r.lpos("list", "a", rank=2), 4)
    step("lpos a rank -1", lambda: r.lpos("list", "a", rank=-1), 6)
    step("lpos a count 0", lambda: r.lpos("list", "a", count=0), [1, 4, 6])
    step("lpos a rank -2 count 2", lambda: r.lpos("list", "a", rank=-2, count=2), [4, 1])
    step("lpos a count 0 maxlen 5", lambda: r.lpos("list", "a", count=0, maxlen=5), [1, 4])
    step("lpos a rank 2 maxlen 2", lambda: r.lpos("list", "a", rank=2, maxlen=2))
    step("lpos missing", lambda: r.lpos("list", "nope"))
    step("lpos rank 0", lambda: r.lpos("list", "a", rank=0))

    # LMOVE in every direction, and onto the same list (a rotation).
    step("lmove left right", lambda: r.lmove("list", "other", "LEFT", "RIGHT"), b"z")
    step("lmove right left", lambda: r.lmove("list", "other", "RIGHT", "LEFT"), b"a")
    step("lmove rotate", lambda: r.lmove("list", "list", "LEFT", "RIGHT"), b"a")
    step("lrange after lmove", lambda: r.lrange("list", 0, -1), [b"b", b"c", b"a", b"d", b"a"])
    step("lrange other", lambda: r.lrange("other", 0, -1), [b"a", b"z"])
    step("lmove from nothing", lambda: r.lmove("nothing", "other"), None)
    step("lmpop", lambda: r.lmpop(2, "nothing", "other", direction="RIGHT", count=5), [b"other", [b"z", b"a"]])
    step("other is gone", lambda: r.exists("other"), 0)

    # Blocking pops: a timeout gives None after about that long...
    result, took = timed(lambda: step("blpop timeout", lambda: r.blpop("empty", timeout=0.2), None))
    assert 0.15 <= took < 3, f"blpop(timeout=0.2) on an empty list took {took:.3f} s"
    step("brpop two keys timeout", lambda: r.brpop(["empty", "also-empty"], timeout=0.2), None)
    # ... and a push from another client, before the timeout, wakes the wait.
    thread = push_later("wake", "hello", 0.05)
    result, took = timed(lambda: step("blpop woken by a push", lambda: r.blpop("wake", timeout=0.2), (b"wake", b"hello")))
    thread.join()
    assert took >= 0.04, f"blpop returned after {took:.3f} s, before the push (0.05 s)"
    thread = push_later("wake", "moved", 0.05)
    step("blmove woken by a push", lambda: r.blmove("wake", "dest", 0.2, "RIGHT", "LEFT"), b"moved")
    thread.join()
    step("blpop with an element", lambda: r.blpop(["empty", "dest"], timeout=0.2), (b"dest", b"moved"))

    # Errors: another type's key, and bad arguments.
    r.set("text", "v")
    step("lpush on a string", lambda: r.lpush("text", "x"))
    step("get on a list", lambda: (r.rpush("list2", "x"), r.get("list2"))[1])
    step("lset out of range", lambda: r.lset("list", 99, "x"))
    step("lpop count", lambda: r.lpop("list", 2), [b"b", b"c"])
    step("type", lambda: r.type("list"), b"list")

def shown(results):
    """A pipeline's results, with each error shown as its class and text:
    redis-py puts the exception objects themselves in the list."""
    return [f"{type(item).__name__}: {item}" if isinstance(item, Exception) else item for item in results]


def changed_on_first_attempt(key, attempts):
    """A function for r.transaction(): it reads `key` and sets it to one more.
    On the first attempt only, a second client increments `key` between the
    read and MULTI, so that attempt's EXEC fails and redis-py retries."""
    other = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

    def work(pipe):
        attempts.append(1)
        value = int(pipe.get(key) or 0)  # after WATCH, before MULTI: runs at once
        if len(attempts) == 1:
            other.incr(key)
        pipe.multi()
        pipe.set(key, value + 1)
        return value
    return work


if stage >= 8:
    assert r.flushall() is True

    # pipeline() is a transaction by default: MULTI, the commands, EXEC.
    def transaction_pipeline():
        pipe = r.pipeline()
        pipe.set("tx:a", 1).set("tx:b", 2).incr("tx:a").incrby("tx:b", 5).get("tx:a").mget("tx:a", "tx:b")
        return pipe.execute()
    step("tx pipeline", transaction_pipeline, [True, True, 2, 7, b"2", [b"2", b"7"]])

    # An error while running is that command's slot; the others still run.
    r.set("tx:text", "x")

    def error_in_slot(raise_on_error):
        pipe = r.pipeline()
        pipe.set("tx:c", 1).incr("tx:text").set("tx:d", 2)
        return shown(pipe.execute(raise_on_error=raise_on_error))
    step("tx error in its slot", lambda: error_in_slot(False))
    step("tx error raised", lambda: error_in_slot(True))
    step("tx after the errors", lambda: r.mget("tx:c", "tx:d", "tx:text"), [b"1", b"2", b"x"])

    # An error while queueing: EXECABORT, and nothing runs.
    def queueing_error():
        pipe = r.pipeline()
        pipe.set("tx:never", 1).execute_command("FOO", "bar")
        return pipe.execute()
    step("tx queueing error", queueing_error)
    step("tx nothing ran", lambda: r.exists("tx:never"), 0)

    # WATCH by hand: another client's write makes EXEC fail with WatchError.
    def watched_and_changed():
        pipe = r.pipeline()
        pipe.watch("tx:watched")
        redis.Redis(host="127.0.0.1", port=port, socket_timeout=5).set("tx:watched", "theirs")
        pipe.multi()
        pipe.set("tx:watched", "ours")
        return pipe.execute()
    step("tx watch error", watched_and_changed)
    step("tx watched value", lambda: r.get("tx:watched"), b"theirs")

    # r.transaction(): WATCH, run the function, EXEC; on WatchError, again.
    r.set("tx:counter", 10)
    attempts = []
    step("tx transaction", lambda: r.transaction(changed_on_first_attempt("tx:counter", attempts), "tx:counter"), [True])
    step("tx transaction attempts", lambda: len(attempts), 2)
    step("tx transaction final value", lambda: r.get("tx:counter"), b"12")
    attempts = []
    step("tx transaction value_from_callable",
         lambda: r.transaction(changed_on_first_attempt("tx:counter", attempts), "tx:counter", value_from_callable=True), 13)
    step("tx transaction value_from_callable attempts", lambda: len(attempts), 2)
    step("tx final value", lambda: r.get("tx:counter"), b"14")


def next_message(pubsub, timeout=1.0):
    """The next message get_message gives within `timeout` seconds, or None.
    get_message may return None early when what it read was not a message
    (a reply it handled itself), so it is asked again until the time is up."""
    deadline = time.monotonic() + timeout
    while True:
        message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if message is not None or time.monotonic() >= deadline:
            return message


def publish_later(publisher, messages, delay):
    """From the publisher's connection, in a thread: after `delay` seconds,
    PUBLISH each (channel, message) in order."""
    def publish():
        time.sleep(delay)
        for channel, message in messages:
            publisher.publish(channel, message)
    thread = threading.Thread(target=publish)
    thread.start()
    return thread


def pubsub_checks(protocol):
    """Pub/sub as an app uses it, on a connection speaking `protocol` (2 or
    3), with the publisher on another connection of the same protocol. Every
    step's line begins with `ps2 ` or `ps3 `. Messages are published only
    where exactly one order is possible: each channel subscriber before each
    pattern subscriber, and one connection's messages in the order sent."""
    name = f"ps{protocol}"
    publisher = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, protocol=protocol)
    pubsub = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5, protocol=protocol).pubsub()

    # Each name confirmed on its own, with the count so far.
    pubsub.subscribe("news", "sport")
    step(f"{name} subscribe news", lambda: next_message(pubsub))
    step(f"{name} subscribe sport", lambda: next_message(pubsub))
    step(f"{name} nothing yet", lambda: pubsub.get_message(timeout=0.1), None)
    step(f"{name} publish news", lambda: publisher.publish("news", "hello"), 1)
    step(f"{name} message news", lambda: next_message(pubsub))
    step(f"{name} publish to nobody", lambda: publisher.publish("weather", "rain"), 0)
    step(f"{name} nothing for weather", lambda: pubsub.get_message(timeout=0.1), None)

    # A pattern as well: a message on `news` comes once for the channel,
    # then once for the pattern, in that order.
    pubsub.psubscribe("n*")
    step(f"{name} psubscribe n*", lambda: next_message(pubsub))
    step(f"{name} publish news twice over", lambda: publisher.publish("news", "both"), 2)
    step(f"{name} message for the channel", lambda: next_message(pubsub))
    step(f"{name} pmessage for the pattern", lambda: next_message(pubsub))
    step(f"{name} publish nature", lambda: publisher.publish("nature", "tree"), 1)
    step(f"{name} pmessage nature", lambda: next_message(pubsub))
    step(f"{name} binary message", lambda: (publisher.publish(b"news", b"\x00\xff\r\n"), next_message(pubsub), next_message(pubsub)))

    # What the hub says about it, from the publisher's connection (one
    # channel per CHANNELS answer: more would come in hash order).
    step(f"{name} pubsub channels sp*", lambda: publisher.pubsub_channels("sp*"), [b"sport"])
    step(f"{name} pubsub numsub", lambda: publisher.pubsub_numsub("news", "sport", "weather"))
    step(f"{name} pubsub numpat", lambda: publisher.pubsub_numpat(), 1)

    # ignore_subscribe_messages: the confirmation is read and dropped.
    pubsub.subscribe("quiet")
    step(f"{name} subscribe confirmation ignored",
         lambda: pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0), None)
    step(f"{name} publish quiet", lambda: publisher.publish("quiet", "shh"), 1)
    step(f"{name} message quiet", lambda: next_message(pubsub))

    # A handler: get_message calls it and returns None.
    handled = []
    pubsub.subscribe(**{"handled": handled.append})
    step(f"{name} subscribe handled", lambda: next_message(pubsub))
    publisher.publish("handled", "to the handler")
    step(f"{name} handler's message returns", lambda: pubsub.get_message(timeout=1.0), None)
    step(f"{name} handler got", lambda: handled)

    # PING while subscribed: RESP2's subscribed mode answers [pong, ""].
    pubsub.ping()
    step(f"{name} ping while subscribed", lambda: next_message(pubsub))

    # listen(): messages published by another thread, read as they come.
    # The last one, on `nope`, matches only the pattern: nothing is left after it.
    thread = publish_later(publisher, [("news", "one"), ("sport", "two"), ("news", "three"), ("nope", "stop")], 0.05)
    heard = []
    for message in pubsub.listen():
        heard.append(message)
        if message["data"] == b"stop":
            break
    thread.join()
    step(f"{name} listen heard", lambda: heard)

    # Unsubscribing one by one (with no name, the order would be Redis's
    # hash order), then the pattern.
    for channel in ("sport", "quiet", "handled", "news"):
        pubsub.unsubscribe(channel)
        step(f"{name} unsubscribe {channel}", lambda: next_message(pubsub))
    step(f"{name} publish after unsubscribing", lambda: publisher.publish("news", "late"), 1)
    step(f"{name} pmessage after unsubscribing", lambda: next_message(pubsub))
    pubsub.punsubscribe()
    step(f"{name} punsubscribe all", lambda: next_message(pubsub))
    step(f"{name} nobody listens", lambda: publisher.publish("news", "gone"), 0)
    step(f"{name} nothing after punsubscribe", lambda: pubsub.get_message(timeout=0.1), None)
    step(f"{name} numpat after", lambda: publisher.pubsub_numpat(), 0)
    pubsub.close()

    # The raw replies, as a command sent on the pubsub's own connection
    # sees them: in RESP2, subscribed mode refuses GET; in RESP3 (where
    # messages are push frames, told apart from replies) GET just runs.
    raw = publisher.pubsub()
    raw.subscribe("raw")
    step(f"{name} raw subscribed", lambda: next_message(raw))

    def get_on_subscribed_connection():
        raw.connection.send_command("GET", "k")
        return raw.connection.read_response()
    step(f"{name} raw get while subscribed", get_on_subscribed_connection)
    raw.close()

if stage >= 9:
    assert r.flushall() is True
    pubsub_checks(2)
    pubsub_checks(3)

print("redis-py: all checks passed")
