namespace Baton.Cli.Tests;

/// <summary>A tool needing approval, through the command: each command is a new process on the same store.</summary>
public sealed class ToolApprovalCommandTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    [Theory]
    [InlineData("yes", "refunded 30 EUR on order A-1042")]
    [InlineData("no", "a person answered 'no'")]
    public async Task A_tool_call_waits_exits_3_and_runs_answer_decides_it(string answer, string refundOutput)
    {
        var (waitingExit, _, waitingErr) = await _baton.RunAsync("run", CommandTests.Sample("refund-tools.yaml"));
        Assert.Equal(3, waitingExit);
        var runId = waitingErr.Split(' ')[1];
        Assert.Contains("is waiting for a person: Allow the tool 'refund' to run with {\"input\":{\"order\":\"A-1042\",\"amount\":30}}?", waitingErr);
        var waiting = await _baton.JsonAsync(3, "runs", "show", runId, "--json");
        var asking = waiting["steps"]!.AsArray().Single(s => s!["status"]!.GetValue<string>() == "waiting")!;
        Assert.StartsWith("support/tool-refund-", asking["path"]!.GetValue<string>());

        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "answer", runId, "--value", answer);

        Assert.True(exit == 0, stderr);
        Assert.Equal("I have handled the refund request for order A-1042.", stdout.TrimEnd());
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json");
        var refund = shown["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == "refund")!;
        Assert.Contains(refundOutput, refund["output"]!.AsObject().Single().Value!.GetValue<string>());
        // Answered once: a second answer finds nothing open.
        Assert.Equal(2, (await _baton.RunAsync("runs", "answer", runId, "--value", "yes")).Exit);
    }
}
