using System.Diagnostics;
using System.Text.Json.Nodes;
using Baton.TestSupport;

namespace Baton.Cli.Tests;

/// <summary>Runs the real <c>baton</c> command (as <see cref="BatonCli"/> starts it) in a folder of its own, so each test has its own <c>.baton/</c>.</summary>
internal sealed class BatonCommand : IDisposable
{
    public BatonCommand() => Folder = Directory.CreateTempSubdirectory("baton-cli-").FullName;

    public string Folder { get; }

    /// <summary>Environment variables to set (a null value removes one) for the processes this starts.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    public string Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    public Process Start(params string[] args) => Start(false, args);

    /// <summary>Starts the command with its standard input a pipe the test writes to (as an MCP client does).</summary>
    public Process StartWithInput(params string[] args) => Start(true, args);

    private Process Start(bool input, string[] args)
    {
        var info = BatonCli.StartInfo(args);
        info.WorkingDirectory = Folder;
        info.RedirectStandardInput = input;
        foreach (var (name, value) in Environment)
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return Process.Start(info) ?? throw new InvalidOperationException("could not start baton");
    }

    public async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<JsonObject> JsonAsync(int expectedExit, params string[] args)
    {
        var (exit, stdout, stderr) = await RunAsync(args);
        Assert.True(exit == expectedExit, $"exit {exit}, expected {expectedExit}: {stderr}");
        return JsonNode.Parse(stdout)!.AsObject();
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
