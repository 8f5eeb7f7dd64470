using System.Text.Json;
using Baton.Storage;

namespace Baton.Tests.Patterns;

public sealed class SequentialTests
{
    [Fact]
    public async Task Each_output_is_the_next_input()
    {
        using var script = new AgentScript();
        var research = script.Agent("research").Returns("findings");
        var analyze = script.Agent("analyze").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"analysis of {input}")));
        var write = script.Agent("write").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success($"report from {input}")));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("pipeline", research, analyze, write), "topic");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        Assert.Equal("report from analysis of findings", result.Output!.AsText());
        Assert.Equal("topic", research.Calls[0].Input.AsText());
        Assert.Equal(3, result.StepCount);
    }

    [Fact]
    public async Task An_error_stops_the_chain_and_goes_to_the_handler_with_partial_results()
    {
        using var script = new AgentScript();
        var research = script.Agent("research").Returns("findings");
        var analyze = script.Agent("analyze").Fails(ErrorKind.Fatal, "model refused");
        var write = script.Agent("write");
        var handler = script.Agent("handler").Then((input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(input)));
        await using var runtime = new BatonRuntime();
        var workflow = new SequentialBuilder("pipeline").Then(research).Then(analyze).Then(write).OnError(handler).Build();

        var result = await runtime.RunAsync(workflow, "topic");

        Assert.Equal(RunStatus.Succeeded, result.Status);
        var envelope = result.Output!.AsJson();
        Assert.Equal("model refused", envelope.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal("fatal", envelope.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal("analyze", envelope.GetProperty("error").GetProperty("step").GetString());
        Assert.Equal("findings", envelope.GetProperty("partial").GetProperty("research").GetString());
        Assert.Equal(0, write.CallCount);
    }

    [Fact]
    public async Task Without_a_handler_the_run_fails_and_keeps_what_was_computed()
    {
        using var script = new AgentScript();
        var research = script.Agent("research").Returns("findings");
        var analyze = script.Agent("analyze").Throws(new InvalidOperationException("bad input"));
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(SequentialBuilder.Create("pipeline", research, analyze), "topic");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(ErrorKind.Recoverable, result.Error!.Kind);
        Assert.Equal("analyze", result.Error.StepId);
        Assert.Contains("bad input", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal("findings", result.Partial!.AsJson().GetProperty("research").GetString());
        var journal = await runtime.Store.ReadJournalAsync(result.RunId);
        Assert.Equal(
            [JournalEntryKind.RunStarted, JournalEntryKind.StepCompleted, JournalEntryKind.StepFailed, JournalEntryKind.RunFailed],
            journal.Select(e => e.Kind));
        Assert.Equal(JsonValueKind.Object, journal[^1].Payload!.AsJson().ValueKind);
    }
}
