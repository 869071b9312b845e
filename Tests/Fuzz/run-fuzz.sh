#!/usr/bin/env bash
# Builds the RESP fuzzer (libFuzzer + AddressSanitizer) and runs it.
#
#   Tests/Fuzz/run-fuzz.sh [SECONDS]      # default 60; `make fuzz SECONDS=60`
#   Tests/Fuzz/run-fuzz.sh --build-only   # just build .build/fuzz/RESPFuzzer
#   FUZZ_ARGS='-use_value_profile=1' Tests/Fuzz/run-fuzz.sh 600   # more libFuzzer flags
#
# Everything goes under .build/fuzz: the build, the working corpus (the
# committed seeds in Tests/Fuzz/corpus are copied there, and new inputs are
# only ever written there), the log, and crash files (.build/fuzz/crashes/).
#
# Exit status: 0 when the time ran out with no failure; 1 when the fuzzer
# found a crash or a broken invariant (the crash file is printed); 2 when
# this Swift toolchain has no libFuzzer runtime.
#
# Why not SwiftPM: libFuzzer brings its own `main`, and SwiftPM links every
# executable on Linux with `main` aliased to the module's entry point; an
# `unsafeFlags` setting would change the normal builds. So Common is built
# here as its own module with swiftc, with the same language mode.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

duration=60
build_only=false
case "${1:-}" in
    --build-only) build_only=true ;;
    "") ;;
    *[!0-9]* | 0) echo "usage: $0 [SECONDS (at least 1) | --build-only]" >&2; exit 64 ;;
    *) duration=$1 ;;
esac

build=.build/fuzz
binary=$build/RESPFuzzer
swiftc=${SWIFTC:-swiftc}
# Optimized, as the fuzzer runs far more inputs per second that way;
# preconditions, overflow checks and AddressSanitizer all stay on.
# FUZZ_OPT=-Onone builds for the debugger instead.
opt=${FUZZ_OPT:--O}
if ! command -v "$swiftc" >/dev/null; then
    echo "run-fuzz: $swiftc not found." >&2
    exit 2
fi
mkdir -p "$build"

# Every input of the build; the fuzzer is rebuilt when one changes.
sources=$( {
    find Sources/Common -name '*.swift'
    find Sources/Harness -name '*.swift'
    find Tests/Fuzz/RESPFuzzer -name '*.swift'
} | LC_ALL=C sort)
inputs="$sources Sources/CEpoll/CEpoll.c Sources/CEpoll/include/CEpoll.h Tests/Fuzz/run-fuzz.sh"

up_to_date() {
    [ -x "$binary" ] && [ -f "$build/sources.txt" ] || return 1
    # A source added or removed since the last build.
    [ "$(cat "$build/sources.txt")" = "$sources $opt" ] || return 1
    # A source changed since the last build.
    [ -z "$(find $inputs -newer "$binary" 2>/dev/null)" ]
}

build_fuzzer() {
    # Does this toolchain ship libFuzzer (libclang_rt.fuzzer)? swift.org's
    # Linux toolchains do; Xcode's does not. A tiny probe tells for sure.
    local probe=$build/probe
    mkdir -p "$probe"
    printf '%s\n' '@_cdecl("LLVMFuzzerTestOneInput")' \
        'public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { 0 }' > "$probe/probe.swift"
    if ! "$swiftc" -parse-as-library -sanitize=fuzzer,address "$probe/probe.swift" -o "$probe/probe" \
        > "$probe/probe.log" 2>&1; then
        echo "run-fuzz: this Swift toolchain cannot link a libFuzzer binary (swiftc -sanitize=fuzzer failed):" >&2
        sed 's/^/  /' "$probe/probe.log" | head -n 5 >&2
        echo "run-fuzz: libFuzzer (libclang_rt.fuzzer) ships with the swift.org toolchains for Linux, not with Xcode's." >&2
        exit 2
    fi

    echo "run-fuzz: building $binary ($opt, libFuzzer + AddressSanitizer)..."
    local started
    started=$(date +%s)
    rm -f "$binary"
    mkdir -p "$build/include" "$build/modules"
    # CEpoll, the C shim Common imports: a module map of our own (SwiftPM
    # writes one the same way), and its C file compiled by the toolchain's clang.
    printf 'module CEpoll {\n    header "%s/Sources/CEpoll/include/CEpoll.h"\n    export *\n}\n' "$root" \
        > "$build/include/module.modulemap"
    local clang
    clang="$(dirname "$(command -v "$swiftc")")/clang"
    [ -x "$clang" ] || clang=clang
    "$clang" -c -g -O1 -fsanitize=fuzzer-no-link,address -I Sources/CEpoll/include \
        Sources/CEpoll/CEpoll.c -o "$build/CEpoll.o"
    # Common as its own module, instrumented for coverage and ASan;
    # -enable-testing lets the fuzzer check the parser's internal capacity.
    # shellcheck disable=SC2086 # the source lists are meant to split
    "$swiftc" -module-name Common -package-name RedisFromScratch -parse-as-library -swift-version 6 -enable-testing \
        "$opt" -g -wmo -sanitize=fuzzer,address -I "$build/include" \
        -emit-module -emit-module-path "$build/modules/Common.swiftmodule" \
        -c -o "$build/Common.o" $(echo "$sources" | grep '^Sources/Common/')
    # The fuzzer (with Harness's reply parser compiled in), linked with libFuzzer's main.
    # With lld when the toolchain has it: gold prints a warning for each of
    # ASan's hundreds of local helper symbols.
    local linker=()
    [ -x "$(dirname "$(command -v "$swiftc")")/ld.lld" ] && linker=(-use-ld=lld)
    # shellcheck disable=SC2086
    "$swiftc" -module-name RESPFuzzer -package-name RedisFromScratch -parse-as-library -swift-version 6 \
        "$opt" -g -sanitize=fuzzer,address ${linker[@]+"${linker[@]}"} -I "$build/modules" -I "$build/include" \
        $(echo "$sources" | grep -v '^Sources/Common/') "$build/Common.o" "$build/CEpoll.o" \
        -o "$binary"
    echo "$sources $opt" > "$build/sources.txt"
    echo "run-fuzz: built in $(( $(date +%s) - started )) s."
}

if up_to_date; then
    echo "run-fuzz: $binary is up to date."
else
    build_fuzzer
fi
$build_only && exit 0

# The working corpus: the seeds, plus whatever earlier runs found.
corpus=$build/corpus
crashes=$build/crashes
log=$build/last-run.log
mkdir -p "$corpus" "$crashes"
cp Tests/Fuzz/corpus/* "$corpus/"
# Crash files newer than this marker are this run's.
touch "$build/run-started"

echo "run-fuzz: fuzzing for $duration s (log: $log)..."
status=0
# Swift's own crash backtracer would race libFuzzer's handler (and trip
# ASan with its memory reader): leave crashes to libFuzzer, which saves the
# input and prints the stack.
export SWIFT_BACKTRACE=enable=no
# -max_len: requests of up to 4 KB (room for pipelines, and far below the
# 64 KB limits, where cutting the input may change the error on purpose).
# -malloc_limit_mb: any single allocation of 64 MB or more from such an
# input is a bug (memory reserved for a length that was only announced).
# shellcheck disable=SC2086 # FUZZ_ARGS holds several flags
"$binary" "$corpus" \
    -max_len=4096 -max_total_time="$duration" -timeout=10 -malloc_limit_mb=64 \
    -dict=Tests/Fuzz/resp.dict -artifact_prefix="$crashes/" -print_final_stats=1 \
    ${FUZZ_ARGS:-} > "$log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
    # Show the report: the failed invariant or sanitizer error, and its stack.
    # (Symbol names demangled when `swift demangle` is there.)
    demangle=cat
    swift demangle --simplified < /dev/null > /dev/null 2>&1 && demangle="swift demangle --simplified"
    grep -v -E '^#[0-9]+' "$log" | tail -n 60 | $demangle
    echo
    echo "run-fuzz: FAILED (libFuzzer exit status $status). Crash input:"
    new=$(find "$crashes" -type f -newer "$build/run-started" | head -n 5)
    if [ -n "$new" ]; then
        echo "$new" | sed 's/^/  /'
    else
        echo "  (none written; see $log)"
    fi
    echo "run-fuzz: reproduce with: SWIFT_BACKTRACE=enable=no $binary <crash file>"
    echo "run-fuzz: then see Tests/Fuzz/README.md, \"From a crash to a regression test\"."
    exit 1
fi
# libFuzzer's own summary: "Done N runs in S second(s)".
grep -E '^Done [0-9]+ runs' "$log" || true
runs=$(sed -n -E 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
echo "run-fuzz: passed: ${runs:-?} executions in $duration s, no crash; corpus $corpus has $(find "$corpus" -type f | wc -l) inputs."
