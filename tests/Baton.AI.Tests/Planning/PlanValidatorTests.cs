using Baton.AI.Planning;

namespace Baton.AI.Tests.Planning;

public sealed class PlanValidatorTests
{
    private readonly PlanValidator _validator = new(Skills.Create(), maxSteps: 4);

    [Fact]
    public void A_valid_plan_with_references_has_no_problems()
    {
        var (plan, problems) = _validator.Validate("""
            {"steps":[
              {"id":"a","skill":"search","args":{"query":"cats"},"dependsOn":[]},
              {"id":"b","skill":"search","args":{"query":"dogs","count":2},"dependsOn":[]},
              {"id":"c","skill":"join","args":{"left":{"$ref":"a"},"right":{"$ref":"b"}},"dependsOn":["a","b"]}
            ],"output":"c"}
            """);

        Assert.Empty(problems);
        Assert.Equal(["a", "b", "c"], plan!.Steps.Select(s => s.Id));
        Assert.Equal("c", plan.Output);
    }

    [Fact]
    public void Every_reason_is_collected_at_once()
    {
        var (_, problems) = _validator.Validate("""
            {"steps":[
              {"id":"s1","skill":"serch","args":{"query":"x"},"dependsOn":[]},
              {"id":"s2","skill":"search","args":{"count":"many"},"dependsOn":["s0"]},
              {"id":"s2","skill":"summarize","args":{"text":{"$ref":"s1"},"words":5},"dependsOn":[]},
              {"id":"s3","skill":"join","args":{"left":"a","right":"b","extra":1},"dependsOn":["s4"]},
              {"id":"s4","skill":"join","args":{"left":"a","right":{"$ref":"s3"}},"dependsOn":["s3"]}
            ],"output":"s9"}
            """);

        string[] expected =
        [
            "the plan has 5 steps, over the limit of 4: combine or drop steps",
            "step id 's2' is used twice",
            "step 's1' uses unknown skill 'serch' (the skills are: search, summarize, join)",
            "step 's2' depends on unknown step 's0'",
            "step 's2': the arguments do not fit skill 'search': #/query: a required argument is missing",
            "step 's2': the arguments do not fit skill 'search': #/count: integer expected",
            "step 's2' refers to step 's1' at #/text, which is not in its dependsOn",
            "step 's3': the arguments do not fit skill 'join': #/extra: the skill takes no such argument",
            "the output step 's9' does not exist",
            "the steps form a cycle (each waits for the one before it): s3 -> s4 -> s3",
        ];
        Assert.Equal(string.Join("\n", expected), string.Join("\n", problems));
    }

    [Fact]
    public void A_reply_that_is_not_a_plan_says_why()
    {
        Assert.Equal(["the plan must be a JSON object with a \"steps\" array"], _validator.Validate("""{"plan":[]}""").Problems);
        Assert.StartsWith("the plan is not JSON", _validator.Validate("here is my plan: step 1...").Problems[0], StringComparison.Ordinal);
        Assert.Equal(
            ["step 'a' has no \"skill\" string", "step 'b': \"args\" must be a JSON object", "step 'b': \"dependsOn\" must be an array of step ids"],
            _validator.Validate("""{"steps":[{"id":"a"},{"id":"b","skill":"search","args":[1],"dependsOn":"a"}]}""").Problems);
    }

    [Fact]
    public void A_fenced_reply_is_read()
    {
        var (plan, problems) = _validator.Validate("```json\n{\"steps\":[{\"id\":\"a\",\"skill\":\"search\",\"args\":{\"query\":\"q\"}}]}\n```");

        Assert.Empty(problems);
        Assert.Equal("search", Assert.Single(plan!.Steps).Skill);
    }

    [Fact]
    public void Bad_references_and_ids_are_reasons()
    {
        var (_, problems) = _validator.Validate("""
            {"steps":[
              {"id":"a/b","skill":"search","args":{"query":{"$ref":5}},"dependsOn":[]},
              {"id":"c","skill":"search","args":{"query":{"$ref":"zz"}},"dependsOn":[]}
            ]}
            """);

        Assert.Contains("step id 'a/b' must be 1 to 64 letters, digits, '_' or '-'", problems);
        Assert.Contains("step 'a/b' has a bad reference at #/query: \"$ref\" must be a step id", problems);
        Assert.Contains("step 'c' refers to unknown step 'zz' at #/query", problems);
    }

    [Fact]
    public void A_plan_round_trips_through_its_json_form()
    {
        var plan = Plan.Parse("""{"steps":[{"id":"a","skill":"search","args":{"query":"q"},"dependsOn":[]},{"id":"b","skill":"join","args":{"left":{"$ref":"a"},"right":"x"},"dependsOn":["a"]}],"output":"b"}""")
            with { Goal = "find", Revision = 1 };

        var again = Plan.FromPayload(plan.ToPayload());

        Assert.Equal("find", again.Goal);
        Assert.Equal(1, again.Revision);
        Assert.Equal("b", again.Output);
        Assert.Equal(["a"], again.Steps[1].DependsOn);
        Assert.Equal("""{"left":{"$ref":"a"},"right":"x"}""", again.Steps[1].Args.GetRawText());
        Assert.Throws<FormatException>(() => Plan.Parse("[]"));
    }
}
