import Foundation
import PackagePlugin

/// Stamps the build with its version (the `VERSION` file) and commit (git), so that
/// `/healthz` and `--version` say which build is running. A prebuild command, run before every
/// build; the script rewrites its output only when the stamp changes, so nothing recompiles
/// needlessly.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "stamp")
        return [
            .prebuildCommand(displayName: "Stamping the version and commit",
                             executable: URL(fileURLWithPath: "/bin/sh"),
                             arguments: [context.package.directoryURL.appending(path: "scripts/build-info.sh").path,
                                         context.package.directoryURL.path, output.path],
                             outputFilesDirectory: output),
        ]
    }
}
