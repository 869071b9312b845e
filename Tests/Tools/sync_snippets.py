#!/usr/bin/env python3
"""Copy every marked snippet's source region into the chapters again.

    python3 Tests/Tools/sync_snippets.py        # rewrite Tutorials/*.md in place
    python3 Tests/Tools/sync_snippets.py --check  # only list the blocks that differ

A code block preceded by `<!-- snippet: PATH#REGION -->` is a copy of the
lines between `// snippet: REGION` and `// end-snippet` in PATH (the whole
file without `#REGION`), without the exercise generator's `// @` marker
lines (Tests/TutorialTests/SnippetTests.swift checks the same rule). After a
code change, run this, then read the diff of Tutorials/: the prose around a
block may need to change too.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^\s*<!-- snippet:\s*(\S+)\s*-->\s*$")


def without_exercise_marker(line):
    """None for a `// @...` line; a code line loses a trailing ` // @...`."""
    if line.strip().startswith("// @"):
        return None
    return re.sub(r"\s+// @.*$", "", line)


def shown(lines):
    """The current code only: `// @before N {` ... `// @}` blocks (an earlier
    chapter's version, for the exercise generator) are left out whole."""
    blocks, result = [], []
    for line in lines:
        t = line.strip()
        if t.startswith("// @before ") and t.endswith("{"):
            blocks.append(True)
            continue
        if t.startswith("// @chapter ") and t.endswith("{"):
            blocks.append(False)
            continue
        if t == "// @}":
            if blocks:
                blocks.pop()
            continue
        if True in blocks:
            continue
        kept = without_exercise_marker(line)
        if kept is not None:
            result.append(kept)
    return result


def region(path, name):
    lines = (ROOT / path).read_text().split("\n")
    is_marker = lambda l: l.strip().startswith("// snippet:") or l.strip() == "// end-snippet"
    if name is None:
        body = shown([x for x in lines if not is_marker(x)])
        while body and body[-1] == "":
            body.pop()
        return body
    starts = [i for i, l in enumerate(lines) if l.strip() == f"// snippet: {name}"]
    if not starts:
        raise SystemExit(f"sync_snippets: no `// snippet: {name}` in {path}")
    depth, body = 0, []
    for line in lines[starts[0] + 1:]:
        t = line.strip()
        if t.startswith("// snippet:"):
            depth += 1
            continue
        if t == "// end-snippet":
            if depth == 0:
                return shown(body)
            depth -= 1
            continue
        body.append(line)
    raise SystemExit(f"sync_snippets: `// snippet: {name}` in {path} has no end")


def main():
    check = "--check" in sys.argv
    differing = 0
    for chapter in sorted((ROOT / "Tutorials").glob("*.md")):
        lines = chapter.read_text().split("\n")
        out, i = [], 0
        while i < len(lines):
            out.append(lines[i])
            m = MARKER.match(lines[i])
            if not m:
                i += 1
                continue
            path, _, name = m.group(1).partition("#")
            j = i + 1
            while j < len(lines) and not lines[j].strip():
                out.append(lines[j])
                j += 1
            fence = lines[j]
            k = j + 1
            while not lines[k].startswith("```"):
                k += 1
            new = region(path, name or None)
            if lines[j + 1:k] != new:
                differing += 1
                print(f"{chapter.relative_to(ROOT)}:{i + 1}: {m.group(1)} differs")
            out += [fence] + new + [lines[k]]
            i = k + 1
        if not check:
            chapter.write_text("\n".join(out))
    print(f"sync_snippets: {differing} block(s) {'differ' if check else 'rewritten'}.")
    return 1 if check and differing else 0


if __name__ == "__main__":
    sys.exit(main())
