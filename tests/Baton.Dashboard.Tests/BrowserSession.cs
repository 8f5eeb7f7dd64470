using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Baton.Dashboard.Tests;

/// <summary>
/// Chromium driven by Playwright with a fresh profile, a laptop-sized window (1366x768) and a page open; screenshots go
/// to <c>TestResults/screenshots</c> under the test output (or the folder <c>BATON_SCREENSHOTS</c> names).
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _errors = new();

    private BrowserSession(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
        Page = page;
        // A script error of the page fails the test at its next screenshot or accessibility check.
        page.PageError += (_, error) => _errors.Enqueue(error);
    }

    public IPage Page { get; }

    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("BATON_SCREENSHOTS") is { Length: > 0 } folder ? folder : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public static async Task<BrowserSession> OpenAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("baton-chromium-").FullName;
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            Args = [.. Chromium.Arguments],
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            Timeout = 60_000,
        });
        // A loaded machine (CI builds beside the tests) is slow: expectations wait on the page, never on a clock of ours.
        context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        return new BrowserSession(playwright, context, page, profile);
    }

    public async Task ScreenshotAsync(string name)
    {
        AssertNoScriptErrors();
        Directory.CreateDirectory(ScreenshotFolder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = false });
    }

    /// <summary>Runs axe on the page and fails with every serious or critical violation, each with its rule and nodes.</summary>
    public async Task AssertAccessibleAsync()
    {
        AssertNoScriptErrors();
        var result = await Page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
        Assert.True(bad.Length == 0, string.Join("\n", bad.Select(Describe)));
    }

    private void AssertNoScriptErrors() => Assert.True(_errors.IsEmpty, "the page's script failed: " + string.Join("\n", _errors));

    private static string Describe(AxeResultItem violation) =>
        $"{violation.Impact} {violation.Id}: {violation.Help} at {string.Join(", ", violation.Nodes.Select(n => string.Join(" ", n.Target.ToString())))}";

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A browser process still letting go of its profile: a temp folder left behind is harmless.
        }
    }
}
