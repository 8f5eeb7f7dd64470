using System.Text.Json;
using Baton.AI.Planning;
using Microsoft.Extensions.AI;

namespace Baton.AI.Tests.Planning;

public sealed class PlannerAgentTests
{
    private const string ValidPlan = """{"steps":[{"id":"s1","skill":"search","args":{"query":"cats"},"dependsOn":[]}],"output":"s1"}""";

    public static TheoryData<string, string> InvalidPlans => new()
    {
        { """{"steps":[{"id":"s1","skill":"browse","args":{},"dependsOn":[]}]}""", "step 's1' uses unknown skill 'browse'" },
        { """{"steps":[{"id":"s1","skill":"search","args":{"query":7},"dependsOn":[]}]}""", "step 's1': the arguments do not fit skill 'search': #/query: string expected" },
        {
            """{"steps":[{"id":"a","skill":"search","args":{"query":"x"},"dependsOn":["b"]},{"id":"b","skill":"search","args":{"query":"y"},"dependsOn":["a"]}]}""",
            "the steps form a cycle (each waits for the one before it): a -> b -> a"
        },
    };

    [Theory]
    [MemberData(nameof(InvalidPlans))]
    public async Task An_invalid_plan_is_rejected_and_the_model_is_asked_again_with_the_reason(string invalid, string reason)
    {
        var chat = new FakeChatClient(invalid, ValidPlan);
        var planner = new PlannerAgent(chat, Skills.Create());

        var result = await planner.InvokeAsync("find cats", new RecordingStepContext(), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(2, chat.Requests.Count);
        var retry = chat.LastMessageOf(1);
        Assert.Contains(reason, retry, StringComparison.Ordinal);
        // The second request carries the whole conversation: the goal, the rejected plan, the reasons.
        Assert.Equal([ChatRole.System, ChatRole.User, ChatRole.Assistant, ChatRole.User], chat.Requests[1].Messages.Select(m => m.Role));
        Assert.Equal(invalid, chat.Requests[1].Messages[2].Text);
        var plan = Plan.FromPayload(result.Output);
        Assert.Equal("find cats", plan.Goal);
        Assert.Equal("s1", Assert.Single(plan.Steps).Id);
        Assert.Equal(new Usage(20, 10, 0m), result.Usage);
    }

    [Fact]
    public async Task After_the_replan_limit_the_planner_fails_with_every_reason()
    {
        var bad = """{"steps":[{"id":"s1","skill":"browse","args":{},"dependsOn":["s0"]}]}""";
        var chat = new FakeChatClient(bad, bad, bad, ValidPlan);
        var planner = new PlannerAgent(chat, Skills.Create(), new PlannerOptions { MaxReplans = 2 });

        var result = await planner.InvokeAsync("goal", new RecordingStepContext(), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(result.IsSuccess);
        Assert.Equal(3, chat.Requests.Count);
        Assert.Equal(ErrorKind.Recoverable, result.Error!.Kind);
        Assert.Equal("invalid_plan", result.Error.Code);
        Assert.Contains("no valid plan after 3 request(s)", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("step 's1' uses unknown skill 'browse'", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("step 's1' depends on unknown step 's0'", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(45, result.Usage.TotalTokens);
    }

    [Fact]
    public async Task With_no_replans_the_first_invalid_plan_fails()
    {
        var chat = new FakeChatClient("not json", ValidPlan);
        var planner = new PlannerAgent(chat, Skills.Create(), new PlannerOptions { MaxReplans = 0 });

        var result = await planner.InvokeAsync("goal", new RecordingStepContext(), CancellationToken.None);

        Assert.Equal("invalid_plan", result.Error!.Code);
        Assert.Contains("the plan is not JSON", result.Error.Message, StringComparison.Ordinal);
        Assert.Single(chat.Requests);
    }

    [Fact]
    public async Task The_request_describes_the_skills_and_asks_for_the_plan_schema()
    {
        var chat = new FakeChatClient(ValidPlan);
        var planner = new PlannerAgent(chat, Skills.Create(), new PlannerOptions
        {
            Instructions = "Prefer fewer steps.",
            MaxSteps = 7,
            ChatOptions = new ChatOptions { ModelId = "planner-model", Temperature = 0 },
        });

        await planner.InvokeAsync("find cats", new RecordingStepContext(), CancellationToken.None);

        var (messages, options) = chat.Requests[0];
        var system = messages[0].Text;
        Assert.Contains("- search: Searches the web and returns the top result's title.", system, StringComparison.Ordinal);
        Assert.Contains("\"query\":{\"type\":\"string\"}", system, StringComparison.Ordinal);
        Assert.Contains("{\"$ref\": \"s1\"}", system, StringComparison.Ordinal);
        Assert.Contains("at most 7 steps", system, StringComparison.Ordinal);
        Assert.Contains("Prefer fewer steps.", system, StringComparison.Ordinal);
        Assert.Equal("Goal:\nfind cats", messages[1].Text);
        Assert.Equal("planner-model", options!.ModelId);
        var format = Assert.IsType<ChatResponseFormatJson>(options.ResponseFormat);
        var skillEnum = format.Schema!.Value.GetProperty("properties").GetProperty("steps").GetProperty("items").GetProperty("properties").GetProperty("skill").GetProperty("enum");
        Assert.Equal(["search", "summarize", "join"], skillEnum.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Skills_come_from_delegates_functions_and_agents_with_their_schemas()
    {
        var registry = Skills.Create();

        Assert.Equal(["search", "summarize", "join"], registry.Skills.Select(s => s.Name));
        var search = registry.Get("search").ArgumentsSchema;
        Assert.Equal(["query"], search.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        var summarize = registry.Get("summarize").ArgumentsSchema;
        Assert.Equal(JsonValueKind.Object, summarize.GetProperty("properties").GetProperty("text").ValueKind);
        Assert.Throws<ArgumentException>(() => registry.Add((string q) => q, "search"));
        Assert.Throws<ArgumentException>(() => registry.Add("bad name", "x", Agent.Identity("a"), "{}"));
        Assert.Throws<ArgumentException>(() => registry.Add("ok", "x", Agent.Identity("a"), "[1]"));
        Assert.Throws<KeyNotFoundException>(() => registry.Get("nope"));
    }
}
