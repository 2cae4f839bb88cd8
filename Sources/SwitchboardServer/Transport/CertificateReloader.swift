import Logging
import ServiceLifecycle
import SwitchboardTLS
import UnixSignals

/// Picks up a renewed certificate: at once on SIGHUP, and by re-reading the files every
/// ``ServerTLSConfiguration/reloadCheckIntervalMs`` (a certificate manager that renews
/// in place needs no signal). New connections get the new certificate; open ones keep theirs.
public struct CertificateReloader: Service {
    let certificates: ServerCertificates

    public init(certificates: ServerCertificates) {
        self.certificates = certificates
    }

    public func run() async throws {
        let certificates = self.certificates
        let interval = certificates.configuration.reloadCheckIntervalMs
        await withDiscardingTaskGroup { group in
            group.addTask {
                await cancelWhenGracefulShutdown {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) {
                        certificates.reload()
                    }
                }
            }
            if interval > 0 {
                group.addTask {
                    await runPeriodically(every: .milliseconds(Int(interval))) { certificates.reload() }
                }
            }
        }
    }
}
