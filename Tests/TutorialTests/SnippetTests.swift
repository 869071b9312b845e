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
/// These tests fail as soon as a snippet and its source drift apart.
@Suite("Tutorial snippets match the source")
struct SnippetTests {
    @Test("every snippet matches its source", arguments: Tutorials.chapters)
    func snippetsMatch(_ chapter: String) throws {
        let snippets = try Tutorials.snippets(in: chapter)
        for snippet in snippets {
            let source = try #require(
                Tutorials.region(snippet.path, snippet.region),
                "\(chapter):\(snippet.line): no source for \(snippet.reference) (missing file or `// snippet: \(snippet.region ?? "")` marker)")
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
            var body = lines.filter { !isMarker($0) }
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
                if depth == 0 { return body.joined(separator: "\n") }
                depth -= 1
                continue
            }
            body.append(line)
        }
        return nil
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
