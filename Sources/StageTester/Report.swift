// The JSON report of stage-tester (--report json), written by hand so that
// its keys come in the order the README shows, not sorted.
import StageGates

/// The version of stage-tester, in the JSON report and `--version`.
///
/// Bump it with any change a grading script could notice: the minor number
/// (1.1.0) when the report gains a key or a scenario is added, the major
/// number (2.0.0) when a key is removed or changes meaning, the patch number
/// for fixes that change no output format.
let testerVersion = "1.0.0"

/// One failed scenario, for the report.
struct FailureRecord {
    var scenario: String
    var failure: GateFailure

    var json: JSON {
        .object([
            ("scenario", .string(self.scenario)),
            ("step", .string(self.failure.step)),
            ("sent", self.failure.sent.map { .string(GateStep.show($0)) } ?? .null),
            ("expected", self.failure.expected.map { .string(GateStep.show($0)) } ?? .null),
            ("received", self.failure.received.map { .string(GateStep.show($0)) } ?? .null),
            ("problem", self.failure.problem.map(JSON.string) ?? .null),
            ("cause", self.failure.diagnosis.map { .string($0.text) } ?? .null),
            ("causeKind", self.failure.diagnosis.map { .string($0.kind.rawValue) } ?? .null),
            ("hint", .string(self.failure.hint)),
            ("chapter", .string(self.failure.chapter)),
        ])
    }
}

extension StageResult {
    /// The stage's object: the README's keys, in its order (with the first
    /// failure's `cause`, when one was found, before its `hint`), then
    /// `failures`.
    var json: JSON {
        var fields: [(String, JSON)] = [
            ("stage", .int(self.stage)),
            ("title", .string(self.title)),
            ("passed", .bool(self.passed)),
            ("scenarios", .int(self.scenarios)),
            ("scenariosPassed", .int(self.scenariosPassed)),
        ]
        if let first = self.failures.first {
            fields += [("failedScenario", .string(first.scenario)), ("failedStep", .string(first.failure.step))]
            if let cause = first.failure.diagnosis { fields.append(("cause", .string(cause.text))) }
            fields += [("hint", .string(first.failure.hint)), ("chapter", .string(first.failure.chapter))]
        }
        fields.append(("failures", .array(self.failures.map(\.json))))
        return .object(fields)
    }
}

/// The whole report: who made it, what ran, the score, then each stage.
func report(_ results: [StageResult], selection: String) -> JSON {
    let passed = results.reduce(0) { $0 + $1.scenariosPassed }
    let total = results.reduce(0) { $0 + $1.scenarios }
    return .object([
        ("tester", .string("stage-tester")),
        ("version", .string(testerVersion)),
        ("selection", .string(selection)),
        ("passed", .bool(results.allSatisfy(\.passed))),
        ("score", .object([("passed", .int(passed)), ("total", .int(total))])),
        ("stages", .array(results.map(\.json))),
    ])
}

/// A JSON value whose object keys keep their order.
indirect enum JSON {
    case string(String)
    case int(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    /// The value as indented text, objects as `"key" : value`.
    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .string(let text): return JSON.quote(text)
        case .int(let number): return String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            return "{\n" + fields.map { inner + JSON.quote($0.0) + " : " + $0.1.rendered(indent: inner) }
                .joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    /// `text` as a JSON string literal.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
