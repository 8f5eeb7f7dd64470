using System.Net;
using System.Text.RegularExpressions;

namespace Baton.Cli.Tests;

/// <summary><c>baton serve</c> shows the dashboard at its root, beside the API.</summary>
public sealed class ServeDashboardTests
{
    [Fact]
    public async Task Baton_serve_shows_the_dashboard_at_its_root()
    {
        using var baton = new BatonCommand();
        var file = baton.Write("hello.yaml", """
            version: 1
            name: hello
            agents:
              greet: { template: "Hello." }
            workflow: greet
            """);
        using var process = baton.Start("serve", file, "--port", "0", "--store", Path.Combine(baton.Folder, "baton.db"));
        try
        {
            // It says where it listens (port 0: the system picks one) once it serves.
            string? address = null;
            while (address is null && await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
            {
                if (Regex.Match(line, @"listening on (http://\S+)") is { Success: true } match) address = match.Groups[1].Value;
            }

            Assert.NotNull(address);
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            using var page = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
            Assert.Contains("/dashboard/app.js", await page.Content.ReadAsStringAsync());
            using var script = await client.GetAsync("/dashboard/app.js");
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Contains("\"name\": \"hello\"", await client.GetStringAsync("/api/workflows"));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
