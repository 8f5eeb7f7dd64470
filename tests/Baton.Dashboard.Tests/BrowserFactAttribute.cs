namespace Baton.Dashboard.Tests;

/// <summary>A test that drives a browser: skipped, saying why, when no Chromium is installed (<c>.ci/chromium.sh</c> installs it).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Chromium.Path is null) Skip = Chromium.Missing;
    }
}
