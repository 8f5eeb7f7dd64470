namespace Baton.Tests.Durability;

public sealed class PayloadLimitTests
{
    [Theory]
    [InlineData("output")]
    [InlineData("state")]
    [InlineData("message")]
    public async Task An_oversized_payload_fails_the_step_once_clearly_without_retries(string where)
    {
        var calls = 0;
        var big = new string('x', 5000);
        var agent = Agent.Create("big", (input, context, _) =>
        {
            Interlocked.Increment(ref calls);
            if (where == "state") context.SetState("notes", Payload.FromText(big));
            if (where == "message") context.Messaging.Send("other", Payload.FromText(big));
            return new ValueTask<AgentResult>(AgentResult.Success(Payload.FromText(where == "output" ? big : "small")));
        });
        var workflow = new SequentialBuilder("limits").Then(agent, retry: new RetryPolicy { MaxAttempts = 5 }).Build();
        await using var runtime = new BatonRuntime(new BatonOptions { Limits = RunLimits.Default with { MaxPayloadBytes = 1024 } });

        var result = await runtime.RunAsync(workflow, "go");

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("payload_size", result.Error!.Code);
        Assert.Contains("over the payload limit of 1024", result.Error.Message);
        Assert.Equal(1, calls);
    }
}
