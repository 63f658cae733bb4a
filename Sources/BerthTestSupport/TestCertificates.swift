import Foundation

/// Certificates for TLS tests, made with the `openssl` command in a temporary directory:
/// a CA; a server certificate for IP 127.0.0.1 and DNS localhost and a client certificate,
/// both signed by it; an intermediate CA it signed, with a server certificate of its own;
/// and a second, unrelated CA with a client certificate of its own.
/// Keys are P-256 (fast to make) and certificates are valid for two days.
public struct TestCertificates: Sendable {
    public var caPEM: [UInt8]
    public var serverCertificatePEM: [UInt8]
    public var serverKeyPEM: [UInt8]
    public var clientCertificatePEM: [UInt8]
    public var clientKeyPEM: [UInt8]
    /// An intermediate CA signed by `caPEM`.
    public var intermediateCAPEM: [UInt8]
    /// A server certificate for 127.0.0.1 signed by the intermediate CA, followed by that CA.
    public var chainedServerCertificatePEM: [UInt8]
    public var chainedServerKeyPEM: [UInt8]
    public var otherCAPEM: [UInt8]
    public var otherClientCertificatePEM: [UInt8]
    public var otherClientKeyPEM: [UInt8]

    /// One set per test process: making them takes a few `openssl` runs.
    public static func shared() throws -> TestCertificates {
        try cached.get()
    }

    private static let cached = Result { try TestCertificates.make() }

    /// The server's identity; with `requiringClientCertificates`, it accepts only clients
    /// whose certificate `caPEM` signed.
    public func serverIdentity(requiringClientCertificates: Bool = false, onlyTLS12: Bool = false) -> TLSServerIdentity {
        TLSServerIdentity(certificatePEM: serverCertificatePEM, keyPEM: serverKeyPEM,
                          clientCAPEM: requiringClientCertificates ? caPEM : nil, onlyTLS12: onlyTLS12)
    }

    static func make() throws -> TestCertificates {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("berth-certs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let openssl = OpenSSLCommand(directory: directory)
        try openssl.makeCA("ca", subject: "berth-test-ca")
        try openssl.makeCA("other-ca", subject: "berth-unrelated-ca")
        try openssl.issue("server", by: "ca", subject: "localhost",
                          extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        try openssl.issue("intermediate", by: "ca", subject: "berth-test-intermediate-ca",
                          extensions: "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
        try openssl.issue("chained", by: "intermediate", subject: "127.0.0.1",
                          extensions: "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try openssl.issue("client", by: "ca", subject: "berth-client", extensions: "extendedKeyUsage=clientAuth\n")
        try openssl.issue("other-client", by: "other-ca", subject: "berth-client", extensions: "extendedKeyUsage=clientAuth\n")
        func read(_ name: String) throws -> [UInt8] {
            Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
        }
        return TestCertificates(
            caPEM: try read("ca.pem"), serverCertificatePEM: try read("server.pem"), serverKeyPEM: try read("server.key"),
            clientCertificatePEM: try read("client.pem"), clientKeyPEM: try read("client.key"),
            intermediateCAPEM: try read("intermediate.pem"),
            chainedServerCertificatePEM: try read("chained.pem") + read("intermediate.pem"), chainedServerKeyPEM: try read("chained.key"),
            otherCAPEM: try read("other-ca.pem"), otherClientCertificatePEM: try read("other-client.pem"),
            otherClientKeyPEM: try read("other-client.key"))
    }
}

/// Runs `openssl` in one directory, failing with its output when it fails.
private struct OpenSSLCommand {
    let directory: String
    private let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    func makeCA(_ name: String, subject: String) throws {
        try run(["req", "-x509"] + newKey + ["-keyout", "\(name).key", "-out", "\(name).pem", "-days", "2", "-subj", "/CN=\(subject)"])
    }

    func issue(_ name: String, by ca: String, subject: String, extensions: String) throws {
        try Data(extensions.utf8).write(to: URL(fileURLWithPath: "\(directory)/\(name).ext"))
        try run(["req", "-new"] + newKey + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(subject)"])
        try run(["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                 "-set_serial", String(UInt32.random(in: 1...UInt32.max)), "-days", "2",
                 "-extfile", "\(name).ext", "-out", "\(name).pem"])
    }

    private func run(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        do { try process.run() } catch {
            throw HTTPTestServerError("cannot run /usr/bin/openssl (make deps installs it): \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HTTPTestServerError("openssl \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}
