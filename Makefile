# Redis from Scratch, in Swift: every command a learner or teacher needs.
# `make` alone prints this help.

.DEFAULT_GOAL := help
SHELL := /bin/bash

# The stages that exist, found by globbing: folders Stages/NN-name, as
# numbers (1 2 3 ...). Nothing here names a stage.
STAGE_FOLDERS := $(sort $(notdir $(wildcard Stages/[0-9][0-9]-*)))
STAGES := $(patsubst 0%,%,$(foreach folder,$(STAGE_FOLDERS),$(firstword $(subst -, ,$(folder)))))
NEWEST := $(lastword $(STAGES))
# SwiftPM caches what Package.swift evaluates to, keyed by its text and the
# environment, not by the folders it globs. Handing every swift command the
# list of stage folders makes a new or removed folder a new key, so that
# `make` sees a new stage at once. (Plain `swift build` after adding a
# folder: run `swift package purge-cache` first.)
export COURSE_STAGE_FOLDERS := $(STAGE_FOLDERS)
PORT ?= 6379
# Real Redis, for running the gates against the reference implementation.
REDIS_SERVER ?= redis-server --port {port} --save '' --appendonly no
# Where gate runs against redis-server are logged, so CI can prove they ran.
GATE_LOG ?= .build/gate-redis.log
# Sanitizer runs (test-tsan, test-asan): each builds everything again into
# its own scratch path, and the tests start the servers built there. The
# options make a report fail the run: a process stops at its first report,
# and every report is also written to a file that the target looks for.
TSAN_BUILD ?= .build/tsan
ASAN_BUILD ?= .build/asan
TSAN_RUN_OPTIONS ?= halt_on_error=1 suppressions=$(abspath Tests/Sanitizers/tsan.supp) print_suppressions=0
ASAN_RUN_OPTIONS ?= halt_on_error=1 detect_leaks=1
LSAN_RUN_OPTIONS ?= suppressions=$(abspath Tests/Sanitizers/lsan.supp) print_suppressions=0

# Two-digit form of a stage number: 3 -> 03.
nn = $(shell printf '%02d' $(1) 2>/dev/null)
# The folder of a stage number: 3 -> Stages/03-echo.
folder = $(wildcard Stages/$(call nn,$(1))-*)
# A recipe line that fails, with the list of stages, unless $(1) is a stage number.
require-stage = @case " $(STAGES) " in *" $(1) "*) ;; *) echo "There is no stage $(1); stages: $(STAGES)" >&2; exit 1;; esac
# The gate tests: `$(call gates,STAGES)` runs gates STAGES only (see Tests/GateTests).
gates = GATE_STAGES="$(1)" swift test --skip-build --filter GateTests

.PHONY: help build test test-unit test-gates test-poll test-interop test-shutdown test-tester test-redis test-tutorials test-tsan test-asan test-exercises run-server run-client check diff test-diff clean bench bench-quick soak fuzz

help: ## Show this help
	@echo "Redis from Scratch, in Swift. The stages:"
	@for folder in $(STAGE_FOLDERS); do n=$${folder%%-*}; printf '  %2d  %s\n' $$((10#$$n)) "$${folder#*-}"; done
	@echo
	@grep -hE '^[a-zA-Z0-9_%-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {gsub("%", "N", $$1); printf "  make %-22s %s\n", $$1, $$2}'
	@echo
	@echo "  N is a stage number (1-$(NEWEST)); PORT defaults to 6379."

build: ## Build every stage and test (debug)
	swift build --build-tests

stage-%: ## Build and run stage N on PORT, e.g. make stage-2 PORT=6380
	$(call require-stage,$*)
	swift build --product Stage$(call nn,$*)
	.build/debug/Stage$(call nn,$*) --port $(PORT)

run-client: ## Run our redis-client against PORT (interactive prompt)
	swift build --product redis-client
	.build/debug/redis-client -p $(PORT)

run-server: ## Run the newest stage on PORT
	@$(MAKE) --no-print-directory stage-$(NEWEST)

test: build test-unit test-gates test-poll test-interop test-shutdown test-tester test-tutorials test-redis ## Run everything: unit tests, every gate (epoll and poll), interop, shutdown, stage-tester, chapter checks, gates against redis-server
	@echo "make test: all passed."

test-unit: ## Unit tests of Common (RESP parser, encoder, sockets)
	swift test --skip-build --filter CommonTests

test-gates: ## Every stage's gate against our own stage binaries
	$(call gates,$(STAGES))

# The stages from 4 on run on a reactor; by default epoll on Linux.
REACTOR_STAGES := $(filter-out 1 2 3,$(STAGES))

test-poll: ## The gates of stages 4+ again, on the portable poll() reactor backend (macOS's)
	REACTOR_BACKEND=poll $(call gates,$(REACTOR_STAGES))

test-interop: ## redis-cli, redis-benchmark, redis-py, go-redis and our redis-client against stages 5+ (skipped if absent, required when CI=true)
	swift test --skip-build --filter InteropTests

test-shutdown: ## SIGINT and SIGTERM against stages 4+: stop accepting, finish replies, one line, exit 0 within 1 s
	swift test --skip-build --filter ShutdownTests

test-tutorials: ## Check that code shown in the chapters matches the source
	swift test --skip-build --filter TutorialTests

test-stage-%: ## Stage N's gate (the scenarios of stages 1..N) against our Stage N binary
	$(call require-stage,$*)
	swift build --build-tests
	$(call gates,$*)

test-redis: ## Every gate against real redis-server (skipped if absent, required when CI=true)
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$CI" = "true" ]; then echo "test-redis: redis-server is missing, and CI=true requires it." >&2; exit 1; fi; \
		echo "test-redis: SKIPPED: redis-server is not installed (apt-get install redis-server)."; exit 0; \
	fi; \
	rm -f $(GATE_LOG); \
	GATE_LOG=$(abspath $(GATE_LOG)) STAGE_SERVER="$(REDIS_SERVER)" $(call gates,$(STAGES)) && \
	for n in $(STAGES); do \
		grep -q "PASS gate=$$n " $(GATE_LOG) || { echo "test-redis: gate $$n did not run against redis-server" >&2; exit 1; }; \
	done; \
	echo "test-redis: $$(grep -c PASS $(GATE_LOG)) gate scenarios passed against $$(redis-server --version | cut -d' ' -f1-3)."

# $(call sanitized-tests,SANITIZER,BUILD,ENV,ARGS): build everything with
# --sanitize=SANITIZER into BUILD, run `swift test ARGS` with ENV and with
# STAGE_BIN_DIR=BUILD/debug (the servers, stage-tester and redis-client the
# tests start), then fail if any process wrote a report into BUILD/reports.
# (Reports go to files: a server's own output is thrown away when its gate
# passes.)
define sanitized-tests
	swift build --build-tests --sanitize=$(1) --scratch-path $(2)
	@rm -rf $(2)/reports && mkdir -p $(2)/reports
	STAGE_BIN_DIR=$(abspath $(2))/debug $(3) \
		swift test --skip-build --sanitize=$(1) --scratch-path $(2) $(4); \
	status=$$?; \
	if compgen -G '$(2)/reports/*' >/dev/null; then \
		cat $(2)/reports/*; \
		echo "$@: the $(1) sanitizer reported the errors above ($(2)/reports/)" >&2; exit 1; \
	fi; \
	exit $$status
endef

test-tsan: ## The gates of stages 4+ under ThreadSanitizer, servers included; any report fails
	$(call sanitized-tests,thread,$(TSAN_BUILD),TSAN_OPTIONS="$(TSAN_RUN_OPTIONS) log_path=$(abspath $(TSAN_BUILD))/reports/tsan" GATE_STAGES="$(REACTOR_STAGES)",--filter GateTests)

test-asan: ## Every test under AddressSanitizer and LeakSanitizer, servers included; any report fails
	$(call sanitized-tests,address,$(ASAN_BUILD),ASAN_OPTIONS="$(ASAN_RUN_OPTIONS) log_path=$(abspath $(ASAN_BUILD))/reports/asan" LSAN_OPTIONS="$(LSAN_RUN_OPTIONS)",)

check: ## Run gate STAGE=N with stage-tester against any server: SERVER='cmd {port}' or ADDRESS=host:port
	@if [ -z "$(STAGE)" ] || { [ -z "$(SERVER)" ] && [ -z "$(ADDRESS)" ]; }; then \
		echo "usage: make check STAGE=N SERVER='python3 my_server.py --port {port}'"; \
		echo "       make check STAGE=N ADDRESS=127.0.0.1:6379"; exit 2; fi
	@swift build --product stage-tester
	.build/debug/stage-tester --stage $(STAGE) $(if $(ADDRESS),--address $(ADDRESS),-- $(SERVER))

# Differential fuzzing (stage-tester --diff, Sources/Differential): random
# commands sent to a server and to redis-server, every reply compared.
OPS ?= 20000
# CI's fixed seed; every run of test-diff also draws one random seed.
DIFF_SEED ?= 20240601
# Stage 2 answers PING alone; the fuzzer has something to say from stage 3 on.
DIFF_STAGES := $(filter-out 1 2,$(STAGES))

diff: ## Fuzz STAGE=N against redis-server, every reply compared: SERVER='cmd {port}' (default our StageNN), OPS=20000, SEED=S
	@if [ -z "$(STAGE)" ]; then echo "usage: make diff STAGE=N [SERVER='python3 my_server.py --port {port}'] [OPS=20000] [SEED=S]"; exit 2; fi
	@swift build --product stage-tester
	$(if $(SERVER),,$(call require-stage,$(STAGE)))
	$(if $(SERVER),,swift build --product Stage$(call nn,$(STAGE)))
	.build/debug/stage-tester --diff --stage $(STAGE) --ops $(OPS) $(if $(SEED),--seed $(SEED)) -- $(if $(SERVER),$(SERVER),.build/debug/Stage$(call nn,$(STAGE)) --port '{port}')

test-diff: build ## Fuzz stages 3+ against redis-server: OPS commands on a fixed seed and on one random seed (printed); skipped without redis-server unless CI=true
	@if ! command -v redis-server >/dev/null; then \
		if [ "$$CI" = "true" ]; then echo "test-diff: redis-server is missing, and CI=true requires it." >&2; exit 1; fi; \
		echo "test-diff: SKIPPED: redis-server is not installed (apt-get install redis-server)."; exit 0; \
	fi; \
	random=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	echo "test-diff: seeds $(DIFF_SEED) (fixed) and $$random (random; replay with make diff STAGE=N SEED=$$random)"; \
	passed=0; failed=0; \
	for n in $(DIFF_STAGES); do for seed in $(DIFF_SEED) $$random; do \
		if .build/debug/stage-tester --diff --stage $$n --ops $(OPS) --seed $$seed -- .build/debug/Stage$$(printf '%02d' $$n) --port '{port}'; \
		then passed=$$((passed + 1)); else failed=$$((failed + 1)); fi; \
	done; done; \
	echo "diff: $$passed passed, $$failed failed"; \
	[ $$failed -eq 0 ]

test-tester: ## stage-tester against our stages, redis-server and planted broken servers
	swift test --skip-build --filter StageTesterTests

exercise-%: ## Start exercise N: Exercises/NN-name, a standalone package (library as of chapter N-1, stage N-1's main.swift); never overwrites
	@python3 Tests/Tools/snapshot.py exercise $*

check-exercise-%: ## Build your exercise workspace Exercises/NN-name and run gate N against it
	@dir=$$(ls -d Exercises/$(call nn,$*)-* 2>/dev/null | head -1); \
	if [ -z "$$dir" ]; then echo "There is no Exercises/$(call nn,$*)-*: start it with make exercise-$*" >&2; exit 2; fi; \
	swift build --package-path "$$dir" && \
	swift build --product stage-tester && \
	.build/debug/stage-tester --stage $* -- "$$(swift build --package-path "$$dir" --show-bin-path)/Exercise$(call nn,$*)" --port '{port}'

test-exercises: ## Prove every exercise (in a temp dir): builds, passes gate N-1, fails gate N, lacks chapter N's types
	./.ci/check-exercises

diff-stage-%: ## Show everything chapter N adds: library and stage folder, as of N-1 against as of N
	@python3 Tests/Tools/snapshot.py diff $*

# Benchmarks: rounds of each redis-benchmark workload, and requests per test.
ROUNDS ?= 3
REQUESTS ?= 200000

bench: ## Benchmark the newest stage beside redis-server (needs redis-server, redis-benchmark); ROUNDS=3 REQUESTS=200000
	python3 Tests/Benchmarks/bench.py --rounds $(ROUNDS) --requests $(REQUESTS)

# Soak and fuzz: how long each runs, in seconds (CI runs them for 30).
SECONDS ?= 60

soak: ## Soak the newest stage (release build): 200 clients for SECONDS=60 s; no lost write, no crash, memory plateaus
	swift build -c release --product Stage$(call nn,$(NEWEST))
	python3 Tests/Soak/soak.py --seconds $(SECONDS)

fuzz: ## Fuzz the RESP parsers and stage 6's commands (libFuzzer + ASan) for SECONDS (default 60); crashes go to .build/fuzz/crashes
	Tests/Fuzz/run-fuzz.sh $(SECONDS)

bench-quick: ## Smoke-test the benchmark in about a minute (results go to .build/bench/, not Tutorials/)
	python3 Tests/Benchmarks/bench.py --quick

clean: ## Remove build products
	swift package clean
