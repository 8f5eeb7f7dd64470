using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>Reads a request's JSON body, bounded: a body larger than the limit is refused (413) before it is parsed.</summary>
internal static class RequestBody
{
    /// <summary>The body as a JSON object; an empty body is an empty object.</summary>
    /// <exception cref="ApiError">The body is too large (413) or not a JSON object (400).</exception>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        // The declared length may be absent (chunked) or wrong: count what actually arrives, and stop one byte past the limit.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0) break;
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0) return [];
        try
        {
            // A property named twice is refused here: JsonObject would otherwise throw when it is first read (a 500).
            return JsonNode.Parse(buffer.ToArray(), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject
                ?? throw ApiError.BadRequest("invalid_body", "the request body must be a JSON object");
        }
        catch (JsonException ex)
        {
            throw ApiError.BadRequest("invalid_body", $"the request body is not JSON: {ex.Message}");
        }
    }

    private static ApiError TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"the request body is larger than {maxBytes} bytes");
}
