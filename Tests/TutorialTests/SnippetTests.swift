import Foundation
import Testing

/// Code shown in a chapter must be the code in the repository.
///
/// A chapter marks each code block with the file (and optional region) it
/// comes from, on the line before the block:
///
///     <!-- snippet: Stages/02-ping/main.swift#serve -->
///     ```swift
///     ...
///     ```
///
/// In the source, a region sits between `// snippet: serve` and
/// `// end-snippet`. Without `#region`, the block must be the whole file.
/// Lines whose trimmed text starts with `// @` (`// @chapter 5`, `// @}`)
/// are markers for the exercise generator: chapters show the code without
/// them, so they are dropped from the source (a trailing ` // @chapter 5`
/// is cut off its line) before comparing.
/// These tests fail as soon as a snippet and its source drift apart, when a
/// `// snippet:` marker is used by no chapter, and when a chapter shows a
/// picture that is not in Tutorials/.
@Suite("Tutorial snippets match the source")
struct SnippetTests {
    @Test("every snippet matches its source", arguments: Tutorials.chapters)
    func snippetsMatch(_ chapter: String) throws {
        let snippets = try Tutorials.snippets(in: chapter)
        for snippet in snippets {
            guard let source = Tutorials.region(snippet.path, snippet.region) else {
                Issue.record("\(chapter):\(snippet.line): no source for \(snippet.reference) (missing file or `// snippet: \(snippet.region ?? "")` marker)")
                continue
            }
            #expect(
                snippet.code == source,
                """
                \(chapter):\(snippet.line): the code block no longer matches \(snippet.reference).
                Copy the region from the source into the chapter (or fix the marker).
                --- chapter ---
                \(snippet.code)
                --- source ---
                \(source)
                """)
        }
    }

    @Test("every numbered chapter shows code from its stage", arguments: Tutorials.chapters.filter { $0.first?.isNumber == true })
    func chapterHasSnippets(_ chapter: String) throws {
        let snippets = try Tutorials.snippets(in: chapter)
        let stagePrefix = "Stages/" + chapter.prefix(3) // "Stages/02-"
        #expect(snippets.contains { $0.path.hasPrefix(stagePrefix) },
                "\(chapter) shows no checked code snippet from its stage folder (\(stagePrefix)*)")
    }

    @Test("every stage has a chapter, and the index lists every chapter")
    func everyStageHasAChapter() throws {
        let stages = try FileManager.default.contentsOfDirectory(atPath: Tutorials.root + "/Stages")
        let chapters = Tutorials.chapters
        for stage in stages where stage.first?.isNumber == true {
            let number = String(stage.prefix(2))
            #expect(chapters.contains { $0.hasPrefix(number + "-") }, "Stages/\(stage) has no chapter Tutorials/\(number)-*.md")
        }
        let index = try String(contentsOfFile: Tutorials.root + "/Tutorials/README.md", encoding: .utf8)
        for chapter in chapters {
            #expect(index.contains("(\(chapter))"), "Tutorials/README.md does not link to \(chapter)")
        }
    }

    @Test("every snippet marker in Sources/ and Stages/ is shown by a chapter")
    func everyMarkerIsUsed() throws {
        var used = Set<String>()
        for chapter in Tutorials.chapters {
            for snippet in try Tutorials.snippets(in: chapter) {
                used.insert(snippet.reference)
            }
        }
        let markers = Tutorials.markers()
        #expect(!markers.isEmpty, "found no `// snippet:` markers at all under Sources/ and Stages/")
        for marker in markers where !used.contains(marker.reference) {
            Issue.record("""
                \(marker.path):\(marker.line): `// snippet: \(marker.region)` is shown by no chapter. \
                Show it in a chapter (`<!-- snippet: \(marker.reference) -->` before a code block) \
                or delete its `// snippet:` and `// end-snippet` lines.
                """)
        }
    }

    @Test("every picture a chapter shows is in Tutorials/", arguments: Tutorials.chapters + ["README.md"])
    func picturesExist(_ chapter: String) throws {
        for picture in try Tutorials.pictures(in: chapter) {
            let path = URL(fileURLWithPath: Tutorials.root + "/Tutorials/" + picture.path).standardizedFileURL.path
            #expect(path.hasPrefix(Tutorials.root + "/Tutorials/") && FileManager.default.fileExists(atPath: path),
                    "\(chapter):\(picture.line): shows \(picture.path), which is not a file in Tutorials/")
        }
    }

    @Test("every SVG in Tutorials/ is self-contained")
    func svgsAreSelfContained() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Tutorials.root + "/Tutorials")
        for name in names where name.hasSuffix(".svg") {
            let text = try String(contentsOfFile: Tutorials.root + "/Tutorials/" + name, encoding: .utf8).lowercased()
            // GitHub shows an SVG as an image: scripts and external resources
            // are blocked, and a font the reader lacks falls back anyway.
            for forbidden in ["<script", "<foreignobject", "@import", "@font-face", "href=\"http", "href='http"] {
                #expect(!text.contains(forbidden), "Tutorials/\(name) contains `\(forbidden)`: keep SVGs to plain shapes and text")
            }
            #expect(text.contains("<svg") && text.contains("xmlns=\"http://www.w3.org/2000/svg\""),
                    "Tutorials/\(name) has no <svg xmlns=\"http://www.w3.org/2000/svg\"> element: GitHub will not render it")
        }
    }

    @Test("every chapter section a gate points to exists")
    func gateAnchorsExist() throws {
        let gates = Tutorials.root + "/Sources/StageGates"
        for file in try FileManager.default.contentsOfDirectory(atPath: gates) where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: gates + "/" + file, encoding: .utf8)
            var references: [(String, String)] = []
            // Written out in full: "Tutorials/02-ping.md#some-section".
            for match in text.matches(of: /Tutorials\/([0-9A-Za-z_-]+\.md)#([a-z0-9-]+)/) {
                references.append((String(match.1), String(match.2)))
            }
            // Or as `chapter + "#some-section"`, in a file whose `chapter` constant names the chapter.
            if let constant = text.firstMatch(of: /static let chapter = "Tutorials\/([^"]+)"/) {
                for match in text.matches(of: /(?:chapter \+ |anchor: )"#([a-z0-9-]+)"/) {
                    references.append((String(constant.1), String(match.1)))
                }
            }
            for (chapter, anchor) in references {
                let anchors = try Tutorials.anchors(in: chapter)
                #expect(anchors.contains(anchor), "\(file) points to Tutorials/\(chapter)#\(anchor), which has no such heading")
            }
        }
    }
}

/// Reading chapters and source regions.
enum Tutorials {
    /// The package root: this file is Tests/TutorialTests/SnippetTests.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The chapter file names, such as `02-ping.md` (the index excluded).
    static var chapters: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root + "/Tutorials")) ?? []
        return names.filter { $0.hasSuffix(".md") && $0 != "README.md" }.sorted()
    }

    /// A code block that claims to come from a source file.
    struct Snippet {
        var line: Int
        var path: String
        var region: String?
        var code: String
        var reference: String { region.map { "\(path)#\($0)" } ?? path }
    }

    /// The marked code blocks of a chapter.
    static func snippets(in chapter: String) throws -> [Snippet] {
        let lines = try String(contentsOfFile: root + "/Tutorials/" + chapter, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var snippets: [Snippet] = []
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("<!-- snippet:"), line.hasSuffix("-->") {
                let reference = line.dropFirst("<!-- snippet:".count).dropLast(3).trimmingCharacters(in: .whitespaces)
                let parts = reference.split(separator: "#", maxSplits: 1).map(String.init)
                var cursor = index + 1
                while cursor < lines.count && lines[cursor].trimmingCharacters(in: .whitespaces).isEmpty { cursor += 1 }
                guard cursor < lines.count, lines[cursor].hasPrefix("```") else {
                    Issue.record("\(chapter):\(index + 1): snippet marker not followed by a code block")
                    index += 1
                    continue
                }
                var body: [String] = []
                cursor += 1
                while cursor < lines.count && !lines[cursor].hasPrefix("```") {
                    body.append(lines[cursor])
                    cursor += 1
                }
                snippets.append(Snippet(line: index + 1, path: parts[0], region: parts.count > 1 ? parts[1] : nil,
                                        code: body.joined(separator: "\n")))
                index = cursor
            }
            index += 1
        }
        return snippets
    }

    /// The lines of `path` between `// snippet: region` and `// end-snippet`
    /// (the whole file without marker lines when `region` is nil).
    static func region(_ path: String, _ region: String?) -> String? {
        guard let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        func isMarker(_ line: String) -> Bool {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("// snippet:") || trimmed == "// end-snippet"
        }
        guard let region else {
            var body = shown(lines.filter { !isMarker($0) })
            while body.last == "" { body.removeLast() }
            return body.joined(separator: "\n")
        }
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "// snippet: \(region)" }) else { return nil }
        var depth = 0
        var body: [String] = []
        for line in lines[(start + 1)...] {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// snippet:") { depth += 1; continue }
            if trimmed == "// end-snippet" {
                if depth == 0 { return shown(body).joined(separator: "\n") }
                depth -= 1
                continue
            }
            body.append(line)
        }
        return nil
    }

    /// Source lines as a chapter shows them: the current code only. A
    /// `// @before N {` … `// @}` block holds an earlier chapter's version,
    /// commented out, for the exercise generator: it is left out whole.
    static func shown(_ lines: [String]) -> [String] {
        var blocks: [Bool] = [] // true for an @before block
        var result: [String] = []
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("// @before ") && trimmed.hasSuffix("{") { blocks.append(true); continue }
            if trimmed.hasPrefix("// @chapter ") && trimmed.hasSuffix("{") { blocks.append(false); continue }
            if trimmed == "// @}" { _ = blocks.popLast(); continue }
            if blocks.contains(true) { continue }
            if let kept = withoutExerciseMarker(line) { result.append(kept) }
        }
        return result
    }

    /// `line` as a chapter shows it: nil for an exercise-generator marker
    /// line (trimmed, it starts with `// @`), and a code line without its
    /// trailing ` // @chapter 5`.
    static func withoutExerciseMarker(_ line: String) -> String? {
        if line.trimmingCharacters(in: .whitespaces).hasPrefix("// @") { return nil }
        guard let range = line.range(of: " // @") else { return line }
        var code = String(line[..<range.lowerBound])
        while code.last == " " { code.removeLast() }
        return code
    }

    /// A `// snippet: NAME` line in the source.
    struct Marker {
        var path: String
        var line: Int
        var region: String
        var reference: String { "\(path)#\(region)" }
    }

    /// Every `// snippet:` marker in the files under Sources/ and Stages/.
    static func markers() -> [Marker] {
        var markers: [Marker] = []
        for folder in ["Sources", "Stages"] {
            guard let walker = FileManager.default.enumerator(atPath: root + "/" + folder) else { continue }
            for case let file as String in walker {
                let path = folder + "/" + file
                guard let text = try? String(contentsOfFile: root + "/" + path, encoding: .utf8) else { continue }
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    guard trimmed.hasPrefix("// snippet:") else { continue }
                    let region = trimmed.dropFirst("// snippet:".count).trimmingCharacters(in: .whitespaces)
                    markers.append(Marker(path: path, line: number + 1, region: region))
                }
            }
        }
        return markers.sorted { ($0.path, $0.line) < ($1.path, $1.line) }
    }

    /// A picture a chapter shows: `![...](x.svg)` or `<img src="x.svg">`.
    struct Picture {
        var line: Int
        var path: String
    }

    /// The local pictures of a chapter (web addresses left out), outside
    /// code blocks.
    static func pictures(in chapter: String) throws -> [Picture] {
        let text = try String(contentsOfFile: root + "/Tutorials/" + chapter, encoding: .utf8)
        var pictures: [Picture] = []
        var inCode = false
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode else { continue }
            var paths: [Substring] = []
            for match in line.matches(of: /!\[[^\]]*\]\(\s*([^)\s]+)[^)]*\)/) { paths.append(match.1) }
            for match in line.matches(of: /<img\s[^>]*src\s*=\s*["']([^"']+)["']/) { paths.append(match.1) }
            for path in paths where !path.contains("://") {
                // A `#fragment` or `?query` is not part of the file name.
                let file = path.prefix { $0 != "#" && $0 != "?" }
                pictures.append(Picture(line: number + 1, path: String(file)))
            }
        }
        return pictures
    }

    /// GitHub's anchors for a chapter's headings: lowercase, punctuation
    /// dropped, spaces turned into hyphens.
    static func anchors(in chapter: String) throws -> Set<String> {
        let text = try String(contentsOfFile: root + "/Tutorials/" + chapter, encoding: .utf8)
        var anchors = Set<String>()
        var inCode = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("```") { inCode.toggle() }
            guard !inCode, line.hasPrefix("#") else { continue }
            let title = line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces)
            anchors.insert(slug(title))
        }
        return anchors
    }

    /// GitHub's heading slug.
    static func slug(_ title: String) -> String {
        var slug = ""
        for character in title.lowercased() {
            if character.isLetter || character.isNumber || character == "-" || character == "_" {
                slug.append(character)
            } else if character == " " {
                slug.append("-")
            }
        }
        return slug
    }
}
