using Microsoft.AspNetCore.Http;

namespace Baton.Server.Http;

/// <summary>
/// <c>?include=a,b</c>: members beyond the format's shapes that a client asks for by name (the dashboard does), so the
/// shapes the format names stay exactly as it names them for everyone else.
/// </summary>
internal static class Includes
{
    /// <summary>The names asked for, each one of <paramref name="known"/>.</summary>
    /// <exception cref="ApiError">A name is not one of them (400 naming it and the known ones).</exception>
    public static IReadOnlySet<string> Read(HttpRequest request, params string[] known)
    {
        var asked = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in request.Query["include"])
        {
            foreach (var name in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!known.Contains(name, StringComparer.Ordinal))
                {
                    throw ApiError.BadRequest("invalid_query", $"include '{name}' is not something this endpoint adds: use {string.Join(", ", known)}");
                }

                asked.Add(name);
            }
        }

        return asked;
    }
}
