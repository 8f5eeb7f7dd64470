namespace Baton.Cli.Tests;

/// <summary>The support-desk sample through the command: a handoff whose refund tool waits for `runs answer` in a new process.</summary>
public sealed class SupportDeskCommandTests : IDisposable
{
    private readonly BatonCommand _baton = new();

    public void Dispose() => _baton.Dispose();

    [Fact]
    public async Task The_handoff_desk_waits_at_the_refund_exits_3_and_runs_answer_yes_lets_billing_finish()
    {
        var (waitingExit, _, waitingErr) = await _baton.RunAsync("run", CommandTests.Sample("support-desk.yaml"));
        Assert.True(waitingExit == 3, waitingErr);
        var runId = waitingErr.Split(' ')[1];
        Assert.Contains("is waiting for a person: Allow the tool 'refund' to run with {\"input\":{\"amount\":19.99}}?", waitingErr);

        var (exit, stdout, stderr) = await _baton.RunAsync("runs", "answer", runId, "--value", "yes");

        Assert.True(exit == 0, stderr);
        Assert.Equal("I refunded the duplicate charge of 19.99; it shows on your card in 3-5 days.", stdout.TrimEnd());
        var shown = await _baton.JsonAsync(0, "runs", "show", runId, "--json");
        var refund = shown["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == "refund")!;
        Assert.Equal("refunded 19.99 to the customer's card", refund["output"]!["result"]!.GetValue<string>());
    }
}
