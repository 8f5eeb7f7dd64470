namespace Baton.Dashboard.Tests;

/// <summary>
/// The Chromium the tests drive: Debian's (<c>apt-get install chromium</c>), or the one <c>BATON_CHROMIUM</c> names.
/// Playwright's own browser download is not used (it cannot be reached from CI).
/// </summary>
internal static class Chromium
{
    public const string Missing = "no Chromium found (set BATON_CHROMIUM, or install it: apt-get install -y chromium; .ci/chromium.sh does)";

    public static string? Path { get; } = Find();

    /// <summary>What the browser is started with: headless, nothing fetched from outside, nothing kept between runs.</summary>
    public static IReadOnlyList<string> Arguments { get; } =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private static string? Find()
    {
        if (Environment.GetEnvironmentVariable("BATON_CHROMIUM") is { Length: > 0 } named) return File.Exists(named) ? named : null;
        foreach (var candidate in (string[])["/usr/bin/chromium", "/usr/bin/chromium-browser"])
        {
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }
}
