import ButlerCore
import CCurl
import Foundation
import NIOPosix

/// Sends e-mail over SMTP through libcurl (`Butler.emailNotification.smtp`): `secure: true` is TLS from the
/// first byte (`smtps://`, usually port 465); otherwise STARTTLS is used when offered (required with
/// `tls.requireTLS`, never with `tls.ignoreTLS`); `tls.rejectUnauthorized: false` accepts any certificate;
/// `auth` logs in. Each message is one blocking libcurl transfer on the mailer's own thread pool, with a connect
/// timeout of 5 s and a whole-transfer timeout of `timeout` (Butler's outbound timeout, 10 s by default).
public struct SMTPMailer: Sendable {
    let config: EmailConfig.SMTP
    let timeout: Duration

    public init(config: EmailConfig.SMTP, timeout: Duration = .seconds(30)) {
        self.config = config
        self.timeout = timeout
    }

    private static let initialised: Bool = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK }()

    /// Threads for libcurl's blocking transfers, apart from NIO's shared pool (as many as 8 e-mails at once;
    /// lives as long as the process).
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 8)
        pool.start()
        return pool
    }()

    /// - Throws: `ButlerError(.unavailable)` with libcurl's message when the server can't be reached, refuses
    ///   the login or the message.
    public func send(_ message: MailMessage) async throws {
        let payload = Array(message.rendered().utf8)
        try await Self.threads.runIfActive { try self.transfer(payload, from: MailMessage.address(message.from), to: message.to) }
    }

    final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
    }

    private func transfer(_ payload: [UInt8], from: String, to recipients: [String]) throws {
        guard Self.initialised, let curl = curl_easy_init() else { throw ButlerError.failed("libcurl could not be initialised") }
        defer { curl_easy_cleanup(curl) }
        var list: UnsafeMutablePointer<curl_slist>?
        for recipient in recipients { list = curl_slist_append(list, "<\(MailMessage.address(recipient))>") }
        defer { curl_slist_free_all(list) }
        let upload = Upload(payload)
        let uploadPointer = Unmanaged.passRetained(upload)
        defer { uploadPointer.release() }

        butler_curl_set_string(curl, CURLOPT_URL, "\(config.secure ? "smtps" : "smtp")://\(config.host):\(config.port)")
        butler_curl_set_string(curl, CURLOPT_MAIL_FROM, "<\(from)>")
        butler_curl_set_list(curl, CURLOPT_MAIL_RCPT, list)
        butler_curl_set_long(curl, CURLOPT_UPLOAD, 1)
        butler_curl_set_read_function(curl, readPayload)
        butler_curl_set_pointer(curl, CURLOPT_READDATA, uploadPointer.toOpaque())
        butler_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
        let seconds = max(1, Int(timeout.components.seconds))
        butler_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, min(5, seconds))
        butler_curl_set_long(curl, CURLOPT_TIMEOUT, seconds)
        if !config.secure {
            let useSSL = config.ignoreTLS ? CURLUSESSL_NONE : (config.requireTLS ? CURLUSESSL_ALL : CURLUSESSL_TRY)
            butler_curl_set_long(curl, CURLOPT_USE_SSL, Int(useSSL.rawValue))
        }
        if !config.rejectUnauthorized {
            butler_curl_set_long(curl, CURLOPT_SSL_VERIFYPEER, 0)
            butler_curl_set_long(curl, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if let user = config.user {
            butler_curl_set_string(curl, CURLOPT_USERNAME, user)
            butler_curl_set_string(curl, CURLOPT_PASSWORD, config.password ?? "")
        }
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        butler_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer)
        let code = curl_easy_perform(curl)
        butler_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, nil)
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            // libcurl's text is not ours: the password is scrubbed out in case it ever appears there.
            let text = Redacted.scrub(detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail, removing: [config.password].compactMap { $0 })
            throw ButlerError(.unavailable, "SMTP server \(config.host):\(config.port): \(text)")
        }
    }
}

/// libcurl's read callback: copies the next part of the message.
private let readPayload: butler_curl_read_function = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let upload = Unmanaged<SMTPMailer.Upload>.fromOpaque(userdata).takeUnretainedValue()
    let room = size * count
    let remaining = upload.bytes.count - upload.offset
    let length = min(room, remaining)
    guard length > 0 else { return 0 }
    upload.bytes.withUnsafeBufferPointer { bytes in
        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + upload.offset, byteCount: length)
    }
    upload.offset += length
    return length
}
