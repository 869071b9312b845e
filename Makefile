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

.PHONY: help build install-tester test test-unit test-gates test-poll test-interop test-shutdown test-tester test-redis test-tutorials test-tsan test-asan test-exercises run-server run-client check diff test-diff clean bench bench-quick soak fuzz

# `make help` shows the targets in groups: those for learners, then for
# teachers, in the order listed here (a target may be in both), then every
# other target, for maintainers, in the Makefile's order. A new target
# appears under maintainers until it is listed here.
LEARNER_TARGETS := stage-% run-server run-client exercise-% check-exercise-% diff-stage-% test-stage-% check
TEACHER_TARGETS := check install-tester exercise-% diff-stage-% test-tester

# $(call help-group,TARGETS): the `make` line of each of TARGETS that has a
# `## description`, in that order; with TARGETS empty, of every target in
# neither group.
help-group = grep -hE '^[a-zA-Z0-9_%-]+:.*\#\# ' $(MAKEFILE_LIST) | \
	awk -v only="$(1)" -v grouped="$(LEARNER_TARGETS) $(TEACHER_TARGETS)" ' \
		BEGIN { FS = ":.*\#\# " } { name[NR] = $$1; text[$$1] = $$2 } \
		function show(target, shown) { shown = target; gsub("%", "N", shown); printf "  make %-22s %s\n", shown, text[target] } \
		END { if (only != "") { n = split(only, list, " "); for (i = 1; i <= n; i++) if (list[i] in text) show(list[i]) } \
		      else { split(grouped, list, " "); for (i in list) taken[list[i]] = 1; for (i = 1; i <= NR; i++) if (!(name[i] in taken)) show(name[i]) } }'

help: ## Show this help
	@echo "Redis from Scratch, in Swift. The stages:"
	@for folder in $(STAGE_FOLDERS); do n=$${folder%%-*}; printf '  %2d  %s\n' $$((10#$$n)) "$${folder#*-}"; done
	@echo
	@echo "Learners: build a stage, run it, check your own:"
	@$(call help-group,$(LEARNER_TARGETS))
	@echo
	@echo "Teachers: hand out stages, grade any server:"
	@$(call help-group,$(TEACHER_TARGETS))
	@echo
	@echo "Maintainers: test, measure and clean the course itself:"
	@$(call help-group,)
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

# What `make test` runs, in order; it stops at the first that fails.
TEST_TARGETS := build test-unit test-gates test-poll test-interop test-shutdown test-tester test-tutorials test-redis
# Everything `make test` printed, for its summary of skipped tests.
TEST_LOG ?= .build/make-test.log

# Each target's output is also kept in TEST_LOG; at the end, every line that
# says something was skipped (our `SKIPPED:` marker, or Swift Testing's
# `Test "..." skipped: "reason"`) is repeated in one summary.
test: ## Run everything: unit tests, every gate (epoll and poll), interop, shutdown, stage-tester, chapter checks, gates against redis-server; ends with what was skipped and why
	@mkdir -p $(dir $(TEST_LOG)) && : > $(TEST_LOG); status=0; failed=; \
	for target in $(TEST_TARGETS); do \
		echo "make-test-target: $$target" >> $(TEST_LOG); \
		$(MAKE) --no-print-directory $$target 2>&1 | tee -a $(TEST_LOG); status=$${PIPESTATUS[0]}; \
		if [ $$status -ne 0 ]; then failed=$$target; break; fi; \
	done; \
	skipped=$$(awk '/^make-test-target: / { target = $$2; next } /SKIPPED:|Test ".*" skipped/ { sub(/^[^A-Za-z]*/, ""); sub(/^test-[a-z]+: /, ""); print "make " target ": " $$0 }' $(TEST_LOG) | sort -u); \
	echo; \
	if [ -n "$$skipped" ]; then echo "make test: skipped, and why:"; echo "$$skipped" | sed 's/^/  /'; \
	else echo "make test: nothing was skipped."; fi; \
	if [ -n "$$failed" ]; then echo "make test: FAILED in make $$failed (everything it printed: $(TEST_LOG))." >&2; exit $$status; fi; \
	echo "make test: all passed."

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

# stage-tester's options from make's variables: REPORT=json, QUIET=1, VERBOSE=1.
TESTER_FLAGS = $(if $(REPORT),--report $(REPORT)) $(if $(QUIET),--quiet) $(if $(VERBOSE),--verbose)

# Only stage-tester writes to stdout (make check REPORT=json > result.json
# is the report alone): the build and the command line go to stderr.
check: ## Run gate STAGE=N with stage-tester against any server: SERVER='cmd {port}' or ADDRESS=host:port; REPORT=json, QUIET=1, VERBOSE=1
	@if [ -z "$(STAGE)" ] || { [ -z "$(SERVER)" ] && [ -z "$(ADDRESS)" ]; }; then \
		echo "usage: make check STAGE=N SERVER='python3 my_server.py --port {port}' [REPORT=json] [QUIET=1 | VERBOSE=1]"; \
		echo "       make check STAGE=N ADDRESS=127.0.0.1:6379"; exit 2; fi
	@swift build --product stage-tester >&2
	@echo "$(strip .build/debug/stage-tester --stage $(STAGE) $(TESTER_FLAGS) $(if $(ADDRESS),--address $(ADDRESS),-- $(SERVER)))" >&2
	@.build/debug/stage-tester --stage $(STAGE) $(TESTER_FLAGS) $(if $(ADDRESS),--address $(ADDRESS),-- $(SERVER))

# Where `make install-tester` puts stage-tester.
PREFIX ?= $(HOME)/.local/bin
# On Linux the Swift runtime and Foundation are linked in, so that the one
# file runs on a machine without Swift (macOS ships the runtime).
STATIC_SWIFT := $(if $(filter Linux,$(shell uname -s)),--static-swift-stdlib)

install-tester: ## Build stage-tester (release, one self-contained file) and copy it to PREFIX (default ~/.local/bin)
	swift build -c release --product stage-tester $(STATIC_SWIFT)
	@mkdir -p "$(PREFIX)"
	@install -m 755 "$$(swift build -c release $(STATIC_SWIFT) --show-bin-path)/stage-tester" "$(PREFIX)/stage-tester"
	@echo "Installed $(PREFIX)/stage-tester ($$("$(PREFIX)/stage-tester" --version)). Copy that one file to hand it out."
	@case ":$$PATH:" in *":$(PREFIX):"*) ;; *) echo "$(PREFIX) is not on your PATH: run $(PREFIX)/stage-tester, or add the folder to PATH.";; esac

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
	.build/debug/stage-tester --stage $* $(TESTER_FLAGS) -- "$$(swift build --package-path "$$dir" --show-bin-path)/Exercise$(call nn,$*)" --port '{port}'

test-exercises: ## Prove every exercise (in a temp dir): builds, passes gate N-1, fails gate N, lacks chapter N's types
	./.ci/check-exercises

diff-stage-%: ## Show everything chapter N adds: library and stage folder, as of N-1 against as of N
	@python3 Tests/Tools/snapshot.py diff $*

# Benchmarks: rounds of each redis-benchmark workload, and requests per test.
ROUNDS ?= 4
REQUESTS ?= 200000

bench: ## Benchmark the newest stage beside redis-server (needs redis-server, redis-benchmark); ROUNDS=4 REQUESTS=200000
	python3 Tests/Benchmarks/bench.py --rounds $(ROUNDS) --requests $(REQUESTS)

# Soak and fuzz: how long each runs, in seconds (CI runs them for 30).
SECONDS ?= 60

soak: ## Soak the newest stage (release build): 200 clients for SECONDS=60 s; no lost write, no crash, memory plateaus
	swift build -c release --product Stage$(call nn,$(NEWEST))
	python3 Tests/Soak/soak.py --seconds $(SECONDS)

fuzz: ## Fuzz the RESP parsers and every stage's commands (lists, counters, transactions, pub/sub) (libFuzzer + ASan) for SECONDS (default 60); crashes go to .build/fuzz/crashes
	Tests/Fuzz/run-fuzz.sh $(SECONDS)

bench-quick: ## Smoke-test the benchmark in about a minute (results go to .build/bench/, not Tutorials/)
	python3 Tests/Benchmarks/bench.py --quick

clean: ## Remove build products
	swift package clean
