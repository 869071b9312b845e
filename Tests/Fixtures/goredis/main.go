// A go-redis v5 client (Debian's golang-gopkg-redis.v5-dev) against a
// server: one line per step, so that the output against our newest stage
// can be compared with the output against redis-server
// (Tests/InteropTests/InteropTests.swift).
//
// A command the server does not have prints its error instead of a value,
// and the program goes on. Times to live are printed as ranges, not
// values, so that the output does not depend on how fast the machine is.
//
// Build and run offline:
//
//	GO111MODULE=off GOPATH=$(mktemp -d):/usr/share/gocode go build -o goredis-check main.go
//	./goredis-check 127.0.0.1:6379
package main

import (
	"fmt"
	"os"
	"time"

	"gopkg.in/redis.v5"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goredis-check host:port")
		os.Exit(2)
	}
	client := redis.NewClient(&redis.Options{Addr: os.Args[1], MaxRetries: 0})
	defer client.Close()

	// A server that cannot be reached is not a difference in replies.
	if err := client.Ping().Err(); err != nil {
		fmt.Fprintln(os.Stderr, "cannot reach the server:", err)
		os.Exit(1)
	}

	// step prints "name: value", or "name: error: text".
	step := func(name string, value interface{}, err error) {
		if err != nil {
			fmt.Printf("%s: error: %v\n", name, err)
		} else {
			fmt.Printf("%s: %v\n", name, value)
		}
	}
	// ttlIn prints whether a TTL is within [low, high], or what it was.
	ttlIn := func(name string, cmd *redis.DurationCmd, low, high time.Duration) {
		ttl, err := cmd.Result()
		if err == nil && ttl >= low && ttl <= high {
			step(name, fmt.Sprintf("between %v and %v", low, high), nil)
		} else {
			step(name, ttl, err)
		}
	}

	flush, err := client.FlushAll().Result()
	step("FLUSHALL", flush, err)
	ping, err := client.Ping().Result()
	step("PING", ping, err)
	echo, err := client.Echo("hello from go-redis").Result()
	step("ECHO", echo, err)

	set, err := client.Set("foo", "bar", 0).Result()
	step("SET foo bar", set, err)
	get, err := client.Get("foo").Result()
	step("GET foo", get, err)

	// SET ... EX 100: go-redis sends whole seconds as EX.
	set, err = client.Set("session", "abc", 100*time.Second).Result()
	step("SET session abc EX 100", set, err)
	ttlIn("TTL session", client.TTL("session"), 99*time.Second, 100*time.Second)

	// SETNX (go-redis sends the SETNX command when there is no expiration).
	setnx, err := client.SetNX("lock", "1", 0).Result()
	step("SETNX lock (new)", setnx, err)
	setnx, err = client.SetNX("foo", "other", 0).Result()
	step("SETNX foo (exists)", setnx, err)

	exists, err := client.Exists("foo").Result()
	step("EXISTS foo", exists, err)
	exists, err = client.Exists("missing").Result()
	step("EXISTS missing", exists, err)

	expire, err := client.Expire("foo", 50*time.Second).Result()
	step("EXPIRE foo 50", expire, err)
	ttlIn("TTL foo", client.TTL("foo"), 49*time.Second, 50*time.Second)
	expire, err = client.Expire("missing", 50*time.Second).Result()
	step("EXPIRE missing 50", expire, err)

	persist, err := client.Persist("foo").Result()
	step("PERSIST foo", persist, err)
	persist, err = client.Persist("foo").Result()
	step("PERSIST foo (no TTL left)", persist, err)
	ttl, err := client.TTL("foo").Result()
	step("TTL foo after PERSIST", ttl, err)
	ttl, err = client.TTL("missing").Result()
	step("TTL missing", ttl, err)

	kind, err := client.Type("foo").Result()
	step("TYPE foo", kind, err)
	kind, err = client.Type("missing").Result()
	step("TYPE missing", kind, err)

	del, err := client.Del("foo", "session", "missing").Result()
	step("DEL foo session missing", del, err)

	// A missing key is the error redis.Nil, not an empty string.
	get, err = client.Get("foo").Result()
	if err == redis.Nil {
		step("GET foo after DEL", "redis.Nil", nil)
	} else {
		step("GET foo after DEL", get, err)
	}
}
