namespace Baton.Cli.Tests;

/// <summary>A run keeps its workflow file's text (and the files it refers to): editing or moving the files never changes it.</summary>
public sealed class StoredDefinitionTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    private static string MainFile(string version) => $$$"""
        version: 1
        name: stored
        agents:
          draft: { template: "draft {{{version}}}" }
          publish: { workflow: { file: sub/publish.yaml } }
        workflow:
          sequential:
            - draft
            - ask: "Publish {{ input }}?"
            - publish
        """;

    private static string Publish(string version) => $$$"""
        version: 1
        name: publish
        agents:
          say: { template: "published {{{version}}} ({{ input }})" }
        workflow:
          sequential: [say]
        """;

    private async Task<string> StartWaitingAsync(string main)
    {
        var (exit, _, stderr) = await _baton.RunAsync("run", main);
        Assert.True(exit == 3, stderr);
        return stderr.Split(' ')[1];
    }

    [Fact]
    public async Task Answering_after_the_files_were_edited_finishes_with_the_original_files_behaviour()
    {
        Directory.CreateDirectory(Path.Combine(_baton.Folder, "sub"));
        var main = _baton.Write("stored.yaml", MainFile("v1"));
        _baton.Write(Path.Combine("sub", "publish.yaml"), Publish("v1"));
        var runId = await StartWaitingAsync(main);

        // Edited between the ask and the answer, with a step more: mixed with the journal, this would not even replay.
        _baton.Write("stored.yaml", MainFile("v2").Replace("    - publish", "    - draft-again\n    - publish", StringComparison.Ordinal).Replace("agents:", "agents:\n  draft-again: { template: \"again\" }", StringComparison.Ordinal));
        _baton.Write(Path.Combine("sub", "publish.yaml"), Publish("v2"));
        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "answer", runId, "--value", "yes");

        Assert.True(exit == 0, stderr);
        Assert.Equal("published v1 (yes)", stdout.TrimEnd());
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json");
        Assert.Equal("draft v1", shown["steps"]![0]!["output"]!.GetValue<string>());
        // A new run takes the file as it is now.
        Assert.Equal(3, (await _baton.RunAsync("run", main)).Exit);
    }

    [Fact]
    public async Task A_run_whose_files_were_moved_away_is_still_answered_and_resumed_from_its_stored_text()
    {
        Directory.CreateDirectory(Path.Combine(_baton.Folder, "sub"));
        var main = _baton.Write("stored.yaml", MainFile("v1"));
        _baton.Write(Path.Combine("sub", "publish.yaml"), Publish("v1"));
        var runId = await StartWaitingAsync(main);

        File.Move(main, Path.Combine(_baton.Folder, "renamed.yaml"));
        Directory.Delete(Path.Combine(_baton.Folder, "sub"), recursive: true);
        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "answer", runId, "--value", "ok");

        Assert.True(exit == 0, stderr);
        Assert.Equal("published v1 (ok)", stdout.TrimEnd());
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json");
        Assert.Equal(["draft", "ask", "publish"], shown["steps"]!.AsArray().Where(s => s!["parent"] is null).Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal("draft", shown["steps"]![0]!["agent"]!.GetValue<string>());
    }
}
