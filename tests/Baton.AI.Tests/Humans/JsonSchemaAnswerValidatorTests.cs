using Baton.AI;

namespace Baton.AI.Tests.Humans;

public sealed class JsonSchemaAnswerValidatorTests
{
    private const string Schema = """{"type":"object","properties":{"approved":{"type":"boolean"},"note":{"type":"string"}},"required":["approved"]}""";

    [Fact]
    public async Task A_suspended_run_accepts_only_an_answer_that_satisfies_the_schema()
    {
        var ask = new AskStep("approve", new HumanQuestion("Approve the budget?") { AnswerSchema = Schema });
        var workflow = new WorkflowBuilder("budget").AddStep(ask).Build();
        await using var runtime = new BatonRuntime(new BatonOptions { HumanWaitInMemory = TimeSpan.Zero, AnswerValidator = JsonSchemaAnswerValidator.Validate });
        runtime.Register(workflow);
        var suspended = await runtime.RunAsync(workflow, "q3");
        var request = Assert.Single(await runtime.Humans.ListOpenAsync(suspended.RunId));

        var missing = await runtime.Humans.AnswerAsync(request.Id, """{"note":"fine"}""");
        var wrongType = await runtime.Humans.AnswerAsync(request.Id, """{"approved":"yes"}""");
        var valid = await runtime.Humans.AnswerAsync(request.Id, """{"approved":true,"note":"ok"}""");
        var result = await valid.Run!.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(missing.Accepted);
        Assert.Contains("PropertyRequired", missing.Reason);
        Assert.False(wrongType.Accepted);
        Assert.Contains("approved", wrongType.Reason);
        Assert.True(valid.Accepted);
        Assert.True(result.Output!.AsJson().GetProperty("approved").GetBoolean());
    }

    [Fact]
    public void A_request_without_a_schema_passes_and_a_broken_schema_is_reported()
    {
        var plain = new HumanRequest { Id = "r", RunId = "run", StepKey = "1:a", Prompt = "?", Choices = [] };
        Assert.Null(JsonSchemaAnswerValidator.Validate(plain, "anything"));
        Assert.Contains("not a valid JSON schema", JsonSchemaAnswerValidator.Validate(plain with { AnswerSchema = "{not json" }, "{}"));
    }
}
