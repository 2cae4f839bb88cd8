import Foundation
import HTTPTypes
import Hummingbird

/// The browser client (plain HTML, CSS and ES modules in the `Web` resource folder), served at
/// `/` by edges and the origin alike, with headers that keep user content inert: a
/// Content-Security-Policy that allows only this server's own scripts (no inline code), no
/// sniffing, no framing.
public enum WebClient {
    /// The files shipped with the build.
    public static var shippedRoot: String? { Bundle.module.resourceURL?.appendingPathComponent("Web").path }

    /// Paths that are the API's, never files.
    static let apiPrefixes = ["/api/", "/gateway", "/edge/", "/files/", "/hooks/", "/metrics", "/healthz", "/readyz"]

    public static let contentSecurityPolicy = [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        // Avatars, link-preview images and uploads may live elsewhere; images cannot run code.
        "img-src 'self' data: blob: https: http:",
        // Other edges: a drained edge's clients carry on at the next one.
        "connect-src 'self' https: wss: http: ws:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// Serves `root` for every GET that is not the API's.
    public static func middleware<Context: RequestContext>(root: String, context: Context.Type = Context.self) -> Middleware<Context> {
        Middleware(files: FileMiddleware(root, cacheControl: .init([(MediaType(type: .any), [.noCache])]), searchForIndexHtml: true))
    }

    public struct Middleware<Context: RequestContext>: RouterMiddleware {
        let files: FileMiddleware<Context, LocalFileSystem>

        public func handle(_ request: Request, context: Context,
                           next: (Request, Context) async throws -> Response) async throws -> Response {
            let path = request.uri.path
            guard request.method == .get || request.method == .head,
                  !WebClient.apiPrefixes.contains(where: { path.hasPrefix($0) }) else {
                return try await next(request, context)
            }
            var response = try await files.handle(request, context: context, next: next)
            response.headers[HTTPField.Name("Content-Security-Policy")!] = WebClient.contentSecurityPolicy
            response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
            response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
            response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
            return response
        }
    }
}

extension WebClient {
    /// Browsers may call the API from another edge's page (a drained edge's clients carry on
    /// at the next one). Tokens travel in `Authorization`, never in cookies, so allowing any
    /// origin gives a foreign page nothing it did not already hold; the admin key's header is
    /// not allowed across origins.
    public static func crossOrigin<Context: RequestContext>(_ context: Context.Type = Context.self) -> CORSMiddleware<Context> {
        CORSMiddleware(allowOrigin: .all,
                       allowHeaders: [.accept, .authorization, .contentType, HTTPField.Name("X-Switchboard-Workspace")!],
                       allowMethods: [.get, .post, .put, .patch, .delete, .head, .options],
                       maxAge: .seconds(600))
    }
}
