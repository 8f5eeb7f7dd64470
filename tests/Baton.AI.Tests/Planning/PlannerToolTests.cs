using System.Text.Json;
using Baton.AI.Planning;
using Baton.Storage;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Planning;

/// <summary>Tools as a plan's skills: approval asked durably before each call, sources whose tools are known in the run.</summary>
public sealed class PlannerToolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string RefundPlan = """
        {"steps":[
          {"id":"find","skill":"lookup","args":{"order":"A-1"},"dependsOn":[]},
          {"id":"pay","skill":"refund","args":{"order":"A-1","amount":{"$ref":"find","path":"paid"}},"dependsOn":["find"]}
        ],"output":"pay"}
        """;

    private sealed class Counters
    {
        public int Lookups;
        public int Refunds;
    }

    private static SkillRegistry DeskSkills(Counters counters) => new SkillRegistry()
        .Add(AIFunctionFactory.Create((string order) =>
        {
            Interlocked.Increment(ref counters.Lookups);
            return JsonSerializer.SerializeToElement(new { order, paid = 30 });
        }, "lookup", "Finds an order."))
        .Add(new ApprovalRequiredTool(AIFunctionFactory.Create((string order, int amount) =>
        {
            Interlocked.Increment(ref counters.Refunds);
            return $"refunded {amount} on {order}";
        }, "refund", "Refunds an order.")));

    [Fact]
    public async Task A_plan_step_on_an_approval_tool_waits_and_runs_once_when_yes_is_answered_in_another_runtime()
    {
        var store = new InMemoryRunStore();
        var counters = new Counters();
        string runId;
        await using (var first = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero }))
        {
            var waiting = await first.RunAsync(Planner.Build("desk", new FakeChatClient(RefundPlan), DeskSkills(counters)), "refund order A-1").WaitAsync(Patience);
            Assert.Equal(RunStatus.Waiting, waiting.Status);
            runId = waiting.RunId;
        }

        Assert.Equal((1, 0), (counters.Lookups, counters.Refunds));
        var request = Assert.Single(await store.ListHumanRequestsAsync(runId));
        Assert.Contains("Allow the tool 'refund' to run with", request.Prompt, StringComparison.Ordinal);
        Assert.Contains("\"amount\":30", request.Prompt, StringComparison.Ordinal);

        // Another runtime, as after a restart: the plan is not made again (the script has no reply left) nor the lookup re-run.
        await using var second = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        second.Register(Planner.Build("desk", new FakeChatClient(), DeskSkills(counters)));
        var answered = await second.Humans.AnswerAsync(request.Id, "Yes");
        var result = await answered.Run!.Completion.WaitAsync(Patience);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("refunded 30 on A-1", result.Output!.AsText());
        Assert.Equal((1, 1), (counters.Lookups, counters.Refunds));
    }

    [Fact]
    public async Task A_refused_tool_fails_its_plan_step_and_the_planner_re_plans_knowing_why()
    {
        var counters = new Counters();
        const string WithoutRefund = """{"steps":[{"id":"find","skill":"lookup","args":{"order":"A-1"},"dependsOn":[]}],"output":"find"}""";
        var chat = new FakeChatClient(RefundPlan, WithoutRefund);
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        var workflow = Planner.Build("desk", chat, DeskSkills(counters), new PlannerOptions { MaxExecutionReplans = 1 });
        runtime.Register(workflow);

        var waiting = await runtime.RunAsync(workflow, "refund order A-1").WaitAsync(Patience);
        var answered = await runtime.Humans.AnswerAsync(Assert.Single(await store.ListHumanRequestsAsync(waiting.RunId)).Id, "no");
        var result = await answered.Run!.Completion.WaitAsync(Patience);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(0, counters.Refunds);
        Assert.Contains("\"paid\":30", result.Output!.AsText(), StringComparison.Ordinal);
        var replanRequest = chat.Requests[1].Messages.Last().Text;
        Assert.Contains("the call to tool 'refund' was refused: a person answered 'no'", replanRequest, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_tool_without_re_planning_fails_the_run_with_tool_refused()
    {
        var counters = new Counters();
        var store = new InMemoryRunStore();
        await using var runtime = new BatonRuntime(new BatonOptions { Store = store, HumanWaitInMemory = TimeSpan.Zero });
        var workflow = Planner.Build("desk", new FakeChatClient(RefundPlan), DeskSkills(counters));
        runtime.Register(workflow);

        var waiting = await runtime.RunAsync(workflow, "refund order A-1").WaitAsync(Patience);
        var answered = await runtime.Humans.AnswerAsync(Assert.Single(await store.ListHumanRequestsAsync(waiting.RunId)).Id, "not today");
        var result = await answered.Run!.Completion.WaitAsync(Patience);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(0, counters.Refunds);
        Assert.Contains("a person answered 'not today'", result.Error!.Message, StringComparison.Ordinal);
    }

    /// <summary>A source whose tools the planner sees only once the run asks for them.</summary>
    private sealed class CalculatorSource : IToolSource
    {
        public int Asked;

        public string Name => "calculator";

        public ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(IStepContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Asked);
            return ValueTask.FromResult<IReadOnlyList<AIFunction>>([AIFunctionFactory.Create((int a, int b) => a + b, "add", "Adds two integers.")]);
        }
    }

    [Fact]
    public async Task A_tool_sources_tools_are_skills_whose_schemas_check_the_plan()
    {
        var source = new CalculatorSource();
        var skills = new SkillRegistry().Add(source);
        var chat = new FakeChatClient(
            """{"steps":[{"id":"sum","skill":"add","args":{"a":"two","b":40},"dependsOn":[]}],"output":"sum"}""",
            """{"steps":[{"id":"sum","skill":"add","args":{"a":2,"b":40},"dependsOn":[]}],"output":"sum"}""");
        await using var runtime = new BatonRuntime();

        var result = await runtime.RunAsync(Planner.Build("calc", chat, skills), "add 2 and 40").WaitAsync(Patience);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("42", result.Output!.AsText());
        // The planner was shown the source's tool, and its schema sent the first plan back.
        Assert.Contains("- add: Adds two integers.", chat.Requests[0].Messages[0].Text, StringComparison.Ordinal);
        Assert.Contains("step 'sum': the arguments do not fit skill 'add'", chat.Requests[1].Messages.Last().Text, StringComparison.Ordinal);
        Assert.True(source.Asked >= 2);
    }
}
