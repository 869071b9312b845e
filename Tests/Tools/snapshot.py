#!/usr/bin/env python3
"""The library as of chapter N, and the exercise workspaces made from it.

One source tree, Sources/Common and Sources/CEpoll, holds the code of every
chapter. Chapter markers (comments, so the real build ignores them) say
from which chapter on each file, block or line exists:

    // @chapter N           line 1 of a file: the file exists from chapter N on
                            (every file must have one; 0 = plumbing that the
                            learner never writes)
    // @chapter N {         the lines up to the matching `// @}` exist from
    ...                     chapter N on
    // @}
    code  // @chapter N     this one line exists from chapter N on
    // @before N {          for code that chapter N replaces: the lines up to
    // old code             `// @}` are written commented out (`// ` after the
    // @}                   indentation); chapters before N get them
                            uncommented, chapter N and later drop them

A block may sit inside another (a `@before` inside a `@before` may not). A
block must be later than the file or block around it, or it would change
nothing. Marker lines never appear in the output. Anything that looks like a
marker but is not one of these forms is an error, with file and line.

Commands (Python 3 standard library only; run from anywhere):

    snapshot.py check                  validate every marker, list files by chapter
    snapshot.py library N DIR          write Common and CEpoll as of chapter N into DIR
    snapshot.py exercise N [DIR]       make exercise N's standalone package (default
                                       Exercises/NN-name); refuses an existing DIR
    snapshot.py diff N                 everything chapter N adds: (library N-1 +
                                       stage N-1) against (library N + stage N)
    snapshot.py types N                the public names chapter N introduces, one a line
    snapshot.py probe N FILE           a Swift file that uses those names

`make exercise-N`, `make diff-stage-N` and `.ci/check-exercises` call it.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The marked trees, relative to ROOT, and the target each one becomes.
LIBRARY = [("Sources/Common", "Common"), ("Sources/CEpoll", "CEpoll")]
MARKED_SUFFIXES = (".swift", ".c", ".h")

FILE_MARKER = re.compile(r"^// @chapter (\d+)$")
OPEN_MARKER = re.compile(r"^\s*// @(chapter|before) (\d+) \{$")
CLOSE_MARKER = re.compile(r"^\s*// @\}$")
LINE_MARKER = re.compile(r"^(.*\S)\s+// @chapter (\d+)$")
# Anything that mentions a marker keyword: it must match one of the above.
LOOKS_LIKE_MARKER = re.compile(r"//\s*@(chapter|before|\})")


class MarkerError(Exception):
    pass


def fail(message, status=1):
    sys.stderr.write("snapshot.py: " + message + "\n")
    sys.exit(status)


# MARK: - Markers


def parse(path, text):
    """The file's chapter and its lines as (text, keep(chapter) -> bool, uncomment).

    Raises MarkerError for anything malformed."""
    lines = text.split("\n")
    where = lambda number: "%s:%d" % (os.path.relpath(path, ROOT), number)
    match = FILE_MARKER.match(lines[0]) if lines else None
    if not match:
        raise MarkerError("%s: line 1 must be `// @chapter N` (the chapter the file belongs to), found %r"
                          % (where(1), lines[0] if lines else ""))
    file_chapter = int(match.group(1))
    stack = []  # (kind, chapter, line number) of the open blocks
    out = []    # (line, chapter blocks, before blocks, inside a before block)
    for number, line in enumerate(lines[1:], start=2):
        opening = OPEN_MARKER.match(line)
        if opening:
            kind, chapter = opening.group(1), int(opening.group(2))
            enclosing = max([file_chapter] + [c for k, c, _ in stack if k == "chapter"])
            if kind == "before" and any(k == "before" for k, _, _ in stack):
                raise MarkerError("%s: `// @before` inside another `// @before` block" % where(number))
            if chapter <= enclosing:
                raise MarkerError("%s: `// @%s %d {` inside chapter %d changes nothing: the number must be later"
                                  % (where(number), kind, chapter, enclosing))
            stack.append((kind, chapter, number))
            continue
        if CLOSE_MARKER.match(line):
            if not stack:
                raise MarkerError("%s: `// @}` closes no block" % where(number))
            stack.pop()
            continue
        chapters = [c for k, c, _ in stack if k == "chapter"]
        befores = [c for k, c, _ in stack if k == "before"]
        single = LINE_MARKER.match(line)
        if single and not single.group(1).lstrip().startswith("//"):
            chapter = int(single.group(2))
            if chapter <= max([file_chapter] + chapters):
                raise MarkerError("%s: `// @chapter %d` on a line that already exists from chapter %d"
                                  % (where(number), chapter, max([file_chapter] + chapters)))
            if befores:
                raise MarkerError("%s: a `// @chapter N` line inside a `// @before` block" % where(number))
            out.append((single.group(1), chapters + [chapter], befores))
            continue
        if LOOKS_LIKE_MARKER.search(line):
            raise MarkerError("%s: malformed chapter marker %r (expected `// @chapter N`, `// @chapter N {`, "
                              "`// @before N {`, `// @}`, or `code // @chapter N`)" % (where(number), line.strip()))
        if befores:
            stripped = line.lstrip()
            if stripped and not stripped.startswith("//"):
                raise MarkerError("%s: a line inside `// @before %d {` must be commented out (`// `): %r"
                                  % (where(number), befores[-1], line.strip()))
        out.append((line, chapters, befores))
    if stack:
        kind, chapter, number = stack[-1]
        raise MarkerError("%s: `// @%s %d {` is never closed with `// @}`" % (where(number), kind, chapter))
    return file_chapter, out


def uncomment(line):
    """`    // code` -> `    code`; `    //` -> `` (an empty line)."""
    indent = line[: len(line) - len(line.lstrip())]
    rest = line.lstrip()
    if rest == "//":
        return ""
    assert rest.startswith("//")
    rest = rest[3:] if rest.startswith("// ") else rest[2:]
    return indent + rest


def render(parsed, chapter):
    """The file's text as of `chapter`, or None if the file does not exist yet."""
    file_chapter, lines = parsed
    if chapter < file_chapter:
        return None
    out = []
    for line, chapters, befores in lines:
        if any(chapter < c for c in chapters) or any(chapter >= b for b in befores):
            continue
        out.append(uncomment(line) if befores else line)
    return "\n".join(out)


def marked_files():
    """(relative path, target, path inside the target) of every marked file."""
    for tree, target in LIBRARY:
        base = os.path.join(ROOT, tree)
        for folder, _, names in sorted(os.walk(base)):
            for name in sorted(names):
                if name.endswith(MARKED_SUFFIXES):
                    full = os.path.join(folder, name)
                    yield full, target, os.path.relpath(full, base)


def load():
    """Every marked file, parsed: [(path, target, inner path, parsed)]. Exits on a marker error."""
    result, errors = [], []
    for full, target, inner in marked_files():
        with open(full, encoding="utf-8") as handle:
            text = handle.read()
        try:
            result.append((full, target, inner, parse(full, text)))
        except MarkerError as error:
            errors.append(str(error))
    if errors:
        fail("malformed chapter markers:\n  " + "\n  ".join(errors))
    return result


def write_library(chapter, out):
    """Writes out/Common/... and out/CEpoll/... as of `chapter`; returns the targets written."""
    targets = set()
    for _, target, inner, parsed in load():
        text = render(parsed, chapter)
        if text is None:
            continue
        destination = os.path.join(out, target, inner)
        os.makedirs(os.path.dirname(destination), exist_ok=True)
        with open(destination, "w", encoding="utf-8") as handle:
            handle.write(text)
        targets.add(target)
    return targets


# MARK: - Stages and chapters


def stage_folder(number):
    """Stages/NN-name for a stage number, or None."""
    prefix = "%02d-" % number
    names = [n for n in sorted(os.listdir(os.path.join(ROOT, "Stages"))) if n.startswith(prefix)]
    return os.path.join(ROOT, "Stages", names[0]) if names else None


def chapter_file(number):
    prefix = "%02d-" % number
    names = [n for n in sorted(os.listdir(os.path.join(ROOT, "Tutorials"))) if n.startswith(prefix)]
    return "Tutorials/" + names[0] if names else "Tutorials/README.md"


def main_source(number):
    """The main.swift that a workspace of exercise `number + 1` starts from."""
    if number == 0:
        return TEMPLATE_MAIN
    with open(os.path.join(stage_folder(number), "main.swift"), encoding="utf-8") as handle:
        return handle.read()


def names_used(source):
    """The identifiers of a main.swift, outside comments and string literals."""
    code = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', re.sub(r"//[^\n]*", "", source))
    return set(re.findall(r"(?<![.\w])([A-Za-z_]\w*)", code))


def declared_public_names():
    """Every public name that Common declares at the top level (all chapters)."""
    names = set()
    for _, target, _, parsed in load():
        if target == "Common":
            text = "\n".join(line for line, _, _ in parsed[1])
            names |= set(re.findall(r"^public (?:final )?(?:struct|class|enum|protocol|actor|func|let|var) (\w+)",
                                    text, re.M))
    return names


def public_names(chapter):
    """The public names that chapter `chapter` introduces, found two ways that
    do not depend on each other, so that a wrong marker cannot hide a name:

    1. by the markers: the first public type (or, failing that, free function)
       declared at the top level of each file whose line 1 says `chapter`;
    2. by the stages: the names of Common that stage `chapter`'s main.swift uses
       and stage `chapter - 1`'s (for chapter 1: exercise 1's template) does not.
    """
    names = []
    for _, target, _, parsed in load():
        if target != "Common" or parsed[0] != chapter:
            continue
        text = render(parsed, chapter)
        found = re.search(r"^public (?:final )?(?:struct|class|enum|protocol|actor) (\w+)", text, re.M) \
            or re.search(r"^public func (\w+)", text, re.M)
        if found and found.group(1) not in names:
            names.append(found.group(1))
    if chapter >= 1 and stage_folder(chapter):
        new = (names_used(main_source(chapter)) - names_used(main_source(chapter - 1))) & declared_public_names()
        names += sorted(new - set(names))
    return names


def probe_source(chapter):
    lines = ["// A probe: it names chapter %d's public names, so it compiles only" % chapter,
             "// against a library that already has them.",
             "import Common", "", "func probeChapter%d() {" % chapter]
    lines += ["    _ = %s.self" % name if name[0].isupper() else "    _ = %s" % name for name in public_names(chapter)]
    return "\n".join(lines + ["}", ""])


# MARK: - Exercises

PACKAGE_SWIFT = """\
// swift-tools-version:6.1
//
// Exercise {n}: {title}. A standalone package: `Common` is the course's
// library as of chapter {previous}, and `{executable}` is your server.
import PackageDescription

let package = Package(
    name: "{executable}",
    platforms: [.macOS(.v15)],
    targets: [
{targets}    ],
    swiftLanguageModes: [.v6]
)
"""

TEMPLATE_MAIN = """\
// Exercise 1: bind a port. Make `make check-exercise-1` pass.
//
// Read Tutorials/01-bind-a-port.md. Common already parses the command line
// (ServerOptions) and prints log lines (log, fail); the socket calls you need
// are in Platform (Sources/Common/Net/Platform.swift). Listen on
// options.bindAddress:options.port, print a line once you listen, and accept
// clients forever.
import Common

Platform.ignoreSIGPIPE()
let options = ServerOptions.fromCommandLine()
log("Exercise 01 (bind a port): nothing is written yet.")
fail("TODO: listen on \\(options.bindAddress):\\(options.port) and accept clients forever")
"""

README = """\
# Exercise {n}: {title}

This folder is a Swift package of its own. `Sources/Common` is {library},
and nothing from chapter {n}. `Sources/{executable}/main.swift` is {start}.

Your job: read chapter {n}, {chapter_link}, and write what it builds, in
`Sources/Common` and in `main.swift`, until stage {n}'s gate passes.
{earlier}
In the course's repository, from its top folder:

    make check-exercise-{n}     # build this package, then run gate {n} against it

Anywhere else (a teacher hands out this folder and the `stage-tester` tool):

    swift build
    stage-tester --stage {n} -- .build/debug/{executable} --port {{port}}

The gate prints every step: what was sent, what was expected, what came
back, a hint and the chapter section to read. The reference solution is
`Stages/{stage}/` and the library of chapter {n} (`make diff-stage-{n}` shows all
of it); try not to peek.
"""


def stage_title(number):
    """`SET and GET`, from the first line of the stage's README (`# Stage 5: SET and GET`)."""
    try:
        with open(os.path.join(stage_folder(number), "README.md"), encoding="utf-8") as handle:
            first = handle.readline().strip()
    except OSError:
        first = ""
    match = re.match(r"#\s*Stage \d+:\s*(.+)", first)
    return match.group(1) if match else os.path.basename(stage_folder(number)).split("-", 1)[1].replace("-", " ")


def exercise_name(number):
    folder = stage_folder(number)
    if folder is None:
        fail("there is no stage %d (Stages/%02d-*)" % (number, number), 2)
    return os.path.basename(folder)


def rewrap(markdown, width=76):
    """Fills each plain paragraph to `width` columns; headings and indented code stay."""
    paragraphs = markdown.strip("\n").split("\n\n")
    filled = [p if p.startswith(("#", "    ")) else textwrap.fill(" ".join(p.split()), width, break_on_hyphens=False, break_long_words=False) for p in paragraphs]
    return "\n\n".join(filled) + "\n"


def write_exercise(number, out):
    """Exercise `number`'s standalone package in `out` (which must not exist)."""
    name = exercise_name(number)
    if os.path.exists(out):
        fail("%s already exists: it is not overwritten (your work may be in it). "
             "Check it with `make check-exercise-%d`, or move it away to start again." % (out, number))
    executable = "Exercise%02d" % number
    staging = out.rstrip("/") + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    sources = os.path.join(staging, "Sources")
    targets = write_library(number - 1, sources)
    main_folder = os.path.join(sources, executable)
    os.makedirs(main_folder)
    if number == 1:
        with open(os.path.join(main_folder, "main.swift"), "w", encoding="utf-8") as handle:
            handle.write(TEMPLATE_MAIN)
        start = "a template that compiles and prints a TODO"
    else:
        previous_stage = stage_folder(number - 1)
        shutil.copy(os.path.join(previous_stage, "main.swift"), os.path.join(main_folder, "main.swift"))
        start = "stage %d's server, `Stages/%s/main.swift`" % (number - 1, os.path.basename(previous_stage))
    declared = ""
    if "CEpoll" in targets:
        declared += '        // A tiny C shim over epoll and eventfd, which Glibc does not expose to Swift.\n'
        declared += '        .target(name: "CEpoll"),\n'
    declared += '        .target(name: "Common"%s),\n' % (', dependencies: ["CEpoll"]' if "CEpoll" in targets else "")
    declared += '        .executableTarget(name: "%s", dependencies: ["Common"]),\n' % executable
    chapter = chapter_file(number)
    # A link that works where `make exercise-N` puts the workspace
    # (Exercises/NN-name); elsewhere (a zip handed out) the plain path.
    inside = os.path.dirname(os.path.abspath(out)) == os.path.join(ROOT, "Exercises")
    chapter_link = "[%s](../../%s)" % (chapter, chapter) if inside else "`%s` of the course" % chapter
    earlier = ("The gate of stage %d also runs the gates of stages 1 to %d, so nothing\n"
               "that already works may break.\n" % (number, number - 1)) if number > 1 else ""
    library = ("the course's plumbing, which no chapter asks you to write (the system calls in\n"
               "`Net/Platform.swift`, `log`, the command line in `ServerOptions`)" if number == 1 else
               "the course's library as it stands after chapter %d: everything the\n"
               "earlier chapters built" % (number - 1))
    fields = dict(n=number, previous=number - 1, library=library, title=stage_title(number), earlier=earlier,
                  executable=executable, targets=declared, start=start, stage=name, chapter_link=chapter_link)
    with open(os.path.join(staging, "Package.swift"), "w", encoding="utf-8") as handle:
        handle.write(PACKAGE_SWIFT.format(**fields))
    with open(os.path.join(staging, "README.md"), "w", encoding="utf-8") as handle:
        handle.write(rewrap(README.format(**fields)))
    with open(os.path.join(staging, ".gitignore"), "w", encoding="utf-8") as handle:
        handle.write(".build/\n.swiftpm/\nPackage.resolved\n")
    os.rename(staging, out)
    return name


# MARK: - Diff


def write_stage_tree(number, out):
    """Library as of `number` and stage `number`'s folder (as Stage/) in `out`."""
    os.makedirs(out)
    write_library(number, os.path.join(out, "Sources"))
    folder = stage_folder(number) if number >= 1 else None
    if folder:
        shutil.copytree(folder, os.path.join(out, "Stage"), ignore=shutil.ignore_patterns("README.md"))


def diff(number):
    """Prints what chapter N adds, in reading order, after a list of the files:
    the stage's main.swift, then the library files it changes (most changed
    first), then the files it adds."""
    if stage_folder(number) is None:
        fail("there is no stage %d" % number, 2)
    with tempfile.TemporaryDirectory(prefix="diff-stage-") as temp:
        old, new = "stage-%02d" % (number - 1), "stage-%02d" % number
        write_stage_tree(number - 1, os.path.join(temp, old))
        write_stage_tree(number, os.path.join(temp, new))

        def files(tree):
            base = os.path.join(temp, tree)
            return {os.path.relpath(os.path.join(folder, name), base)
                    for folder, _, names in os.walk(base) for name in names}

        before, after = files(old), files(new)
        read = lambda tree, path: open(os.path.join(temp, tree, path), encoding="utf-8").read()
        changed = sorted(p for p in before & after if read(old, p) != read(new, p))
        added, removed = sorted(after - before), sorted(before - after)
        main = [p for p in changed + added if p.startswith("Stage/")]
        # The changed library files with the most changed lines first: the
        # heart of the chapter (chapter 6: the store) comes before the details.
        changed_lines = lambda p: len(set(read(old, p).split("\n")) ^ set(read(new, p).split("\n")))
        changed = sorted((p for p in changed if p not in main), key=lambda p: (-changed_lines(p), p))
        order = main + changed + [p for p in added if p not in main] + removed
        out = ["# Everything chapter %d adds: the library (Sources/) as of chapter %d and stage %d's"
               % (number, number, number),
               "# folder (Stage/, README excluded), against chapter %d's." % (number - 1)]
        shown_changed = [p for p in main if p in before] + changed
        for label, paths in (("changed", shown_changed), ("added", added), ("removed", removed)):
            if paths:
                out.append("# %s: %s" % (label, ", ".join(paths)))
        sys.stdout.write("\n".join(out) + "\n")
        for path in order:
            result = subprocess.run(["diff", "-uN", os.path.join(old, path), os.path.join(new, path)],
                                    cwd=temp, capture_output=True, text=True)
            if result.returncode > 1:
                fail("diff failed: " + result.stderr.strip(), result.returncode)
            # The files were written just now: their times say nothing, drop them.
            text = re.sub(r"^((?:---|\+\+\+) \S+)\t.*$", r"\1", result.stdout, flags=re.M)
            sys.stdout.write("diff -uN %s/%s %s/%s\n%s" % (old, path, new, path, text))


# MARK: - Command line


def main(arguments):
    usage = "usage: snapshot.py check | library N DIR | exercise N [DIR] | diff N | types N | probe N FILE"
    if not arguments:
        fail(usage, 2)
    command, rest = arguments[0], arguments[1:]
    try:
        number = int(rest[0]) if rest else None
    except ValueError:
        fail(usage, 2)
    if command == "check":
        files = load()
        for chapter in sorted({parsed[0] for _, _, _, parsed in files}):
            names = [os.path.relpath(path, ROOT) for path, _, _, parsed in files if parsed[0] == chapter]
            print("chapter %d: %s" % (chapter, " ".join(names)))
    elif command == "library" and len(rest) == 2:
        write_library(number, rest[1])
    elif command == "exercise" and len(rest) in (1, 2):
        out = rest[1] if len(rest) == 2 else os.path.join("Exercises", exercise_name(number))
        if not os.path.isabs(out) and len(rest) == 1:
            out = os.path.relpath(os.path.join(ROOT, out))
        write_exercise(number, out)
        print("Created %s: a standalone package with the library as of chapter %d and %s."
              % (out, number - 1, "a template main.swift" if number == 1 else "stage %d's main.swift" % (number - 1)))
        print("Read %s, then run: make check-exercise-%d" % (chapter_file(number), number))
    elif command == "diff" and len(rest) == 1:
        diff(number)
    elif command == "types" and len(rest) == 1:
        print("\n".join(public_names(number)))
    elif command == "probe" and len(rest) == 2:
        with open(rest[1], "w", encoding="utf-8") as handle:
            handle.write(probe_source(number))
    else:
        fail(usage, 2)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
        sys.stdout.flush()
    except BrokenPipeError:
        # `make diff-stage-6 | head`: the reader has seen enough.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
