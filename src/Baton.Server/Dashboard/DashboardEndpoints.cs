using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Baton.Server.Dashboard;

/// <summary>Serves the dashboard's page and files, with headers that keep it from being framed or fed another site's script.</summary>
internal static class DashboardEndpoints
{
    /// <summary>
    /// Scripts and styles only from this server, no inline script, no framing (its buttons start and cancel runs, so a
    /// page of another site must not overlay them), data only from this server's API.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IResult Serve(HttpContext http, string name)
    {
        if (DashboardFiles.Embedded.Find(name) is not { } file) return Results.NotFound();
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidated on every load: a new version of the server is never shown with the old script.
        headers.CacheControl = "no-cache";
        headers.ETag = file.ETag;
        var ifNoneMatch = http.Request.Headers[HeaderNames.IfNoneMatch].ToString();
        if (ifNoneMatch.Length > 0 && ifNoneMatch.Split(',').Any(t => t.Trim() == file.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(file.Content, file.ContentType);
    }
}
