using Baton.Reports;

namespace Baton.Yaml.Tests.Building;

/// <summary><c>team:</c> and <c>plan:</c> steps of workflow files: reading (errors with their position), building, running.</summary>
public sealed class TeamAndPlanFileTests
{
    private const string TeamFile = """
        version: 1
        models:
          lead:
            provider: scripted
            replies:
              - '{"next": "researcher", "instruction": "find sources", "plan": "research, then write"}'
              - '{"next": "editor", "instruction": "review"}'
              - '{"next": "writer", "instruction": "write the report"}'
              - '{"next": "done", "answer": "Report: agents are rising."}'
          worker:
            provider: scripted
            replies: ["three sources", "a report"]
        agents:
          manager: { model: lead, instructions: "Lead the team." }
          researcher: { model: worker, instructions: "Research." }
          writer: { model: worker, instructions: "Write." }
        workflow:
          team:
            manager: manager
            members: [researcher, writer]
            maxRounds: 6
        """;

    [Fact]
    public async Task A_team_runs_on_the_scripted_model_each_turn_a_step_named_after_its_agent()
    {
        var built = FileRuns.Build(TeamFile);
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(built.Workflow, Payload.ParseJson("{}"));
        var result = await run.Completion;

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Report: agents are rising.", result.Output!.AsText());
        var report = await new RunReportBuilder(runtime.Store).BuildAsync(run.RunId, built.Workflow);
        // The manager named 'editor', no member: told so, it chose the writer.
        Assert.Equal(["team/1/manager", "team/2/researcher", "team/3/manager", "team/4/manager", "team/5/writer", "team/6/manager"],
            report.Steps.Where(s => s.Parent == "team").Select(s => s.Path));
        Assert.Equal("a report", report.Steps.Single(s => s.Path == "team/5/writer").Output!.AsText());
    }

    [Fact]
    public async Task A_team_out_of_rounds_fails_with_round_limit()
    {
        var built = FileRuns.Build(TeamFile.Replace("maxRounds: 6", "maxRounds: 2", StringComparison.Ordinal));

        var result = await FileRuns.RunAsync(built);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal("round_limit", result.Error!.Code);
    }

    [Fact]
    public void A_team_naming_unknown_agents_is_refused_where_they_are_written()
    {
        var errors = FileRuns.Errors("""
            version: 1
            agents:
              boss: { template: "x" }
              writer: { template: "y" }
            workflow:
              team:
                manager: bos
                members: [writer, writer, done, riter]
                maxRounds: 0
            """);

        var messages = errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}").ToArray();
        Assert.Contains("7:14: there is no agent 'bos'; did you mean 'boss'?", messages);
        Assert.Contains("8:23: member 'writer' is listed twice", messages);
        Assert.Contains(messages, m => m.StartsWith("8:31: a member may not be called 'done'", StringComparison.Ordinal));
        Assert.Contains("8:37: there is no agent 'riter'; did you mean 'writer'?", messages);
        Assert.Contains(messages, m => m.StartsWith("9:16: 'maxRounds' must be at least 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_whose_model_keeps_failing_makes_the_manager_re_plan()
    {
        var built = FileRuns.Build("""
            version: 1
            models:
              lead:
                provider: scripted
                replies:
                  - '{"next": "scraper", "instruction": "Scrape the site."}'
                  - '{"next": "researcher", "instruction": "Use the archive."}'
                  - '{"next": "done", "answer": "From the archive."}'
              flaky:
                provider: scripted
                replies: ["never"]
                faults: [{ call: 1, status: 503 }, { call: 2, status: 503 }, { call: 3, status: 503 }]
            agents:
              manager: { model: lead }
              scraper: { model: flaky }
              researcher: { template: "archive results" }
            workflow:
              team: { manager: manager, members: [scraper, researcher] }
            """);
        await using var runtime = new BatonRuntime(new BatonOptions { Resources = built.Resources });
        var run = runtime.Start(built.Workflow, Payload.ParseJson("{}"));
        var result = await run.Completion;

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("From the archive.", result.Output!.AsText());
        var report = await new RunReportBuilder(runtime.Store).BuildAsync(run.RunId, built.Workflow);
        var scraper = report.Steps.Single(s => s.Path == "team/2/scraper");
        Assert.Equal(("failed", 3), (scraper.Status, scraper.Attempts));
        var replanning = report.Steps.Single(s => s.Path == "team/3/manager");
        Assert.Equal("succeeded", replanning.Status);
    }

    private const string PlanFile = """
        version: 1
        models:
          planner:
            provider: scripted
            replies:
              - '{"steps": [{"id": "s1", "skill": "browse", "args": {"input": "AI"}, "dependsOn": []}], "output": "s1"}'
              - '{"steps": [{"id": "s1", "skill": "search", "args": {"input": "AI"}, "dependsOn": []}, {"id": "s2", "skill": "write", "args": {"input": {"$ref": "s1"}}, "dependsOn": ["s1"]}], "output": "s2"}'
        agents:
          search: { template: "results for {{ input }}", description: "Searches the web for a topic." }
          write: { template: "Report from {{ input }}" }
        workflow:
          plan:
            planner: planner
            skills: [search, write]
        """;

    [Fact]
    public async Task A_plan_step_sends_an_invalid_plan_back_and_runs_the_valid_one_as_a_graph()
    {
        var built = FileRuns.Build(PlanFile);
        await using var runtime = new BatonRuntime();
        var run = runtime.Start(built.Workflow, Payload.ParseJson("""{"goal": "a report on AI"}"""));
        var result = await run.Completion;

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal("Report from results for AI", result.Output!.AsText());
        var report = await new RunReportBuilder(runtime.Store).BuildAsync(run.RunId, built.Workflow);
        Assert.Contains(report.Steps, s => s.Path == "plan/execute/s1/search");
        Assert.Contains(report.Steps, s => s.Path == "plan/execute/s2/write");
    }

    [Fact]
    public async Task A_plan_that_fails_while_running_is_replaced_up_to_max_replans()
    {
        const string File = """
            version: 1
            models:
              planner:
                provider: scripted
                replies:
                  - '{"steps": [{"id": "s1", "skill": "broken", "args": {"input": "AI"}, "dependsOn": []}], "output": "s1"}'
                  - '{"steps": [{"id": "s1", "skill": "search", "args": {"input": "AI"}, "dependsOn": []}], "output": "s1"}'
            agents:
              search: { template: "results for {{ input }}" }
              broken: { template: "not json", json: true }
            workflow:
              plan: { planner: planner, skills: [search, broken] }
            """;

        var replanned = await FileRuns.RunAsync(FileRuns.Build(File));
        var failed = await FileRuns.RunAsync(FileRuns.Build(File.Replace("skills: [search, broken] }", "skills: [search, broken], maxReplans: 0 }", StringComparison.Ordinal)));

        Assert.True(replanned.IsSuccess, replanned.Error?.Message);
        Assert.Equal("results for AI", replanned.Output!.AsText());
        Assert.Equal(RunStatus.Failed, failed.Status);
        Assert.Contains("not JSON", failed.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_naming_unknown_skills_or_models_is_refused_where_they_are_written()
    {
        var errors = FileRuns.Errors("""
            version: 1
            models:
              big: { provider: scripted, replies: ["{}"] }
            agents:
              search: { template: "x" }
            workflow:
              plan:
                planner: search
                skills: [search, serch, 9lives]
                maxReplans: -1
            """);

        var messages = errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}").ToArray();
        Assert.Contains("8:14: there is no model 'search' ('search' is an agent; 'planner' names a model of 'models')", messages);
        Assert.Contains("9:22: there is no agent or tool 'serch'; did you mean 'search'?", messages);
        Assert.Contains(messages, m => m.StartsWith("9:29: skill '9lives' must start with a letter", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10:17: 'maxReplans' must be at least 0", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("research-team.yaml", "Report: agents are moving into production; orchestration is the hard part.")]
    [InlineData("research-plan.yaml", "Report: findings on agent adoption; findings on agent costs.")]
    public async Task The_team_and_plan_samples_run_on_the_scripted_model(string sample, string output)
    {
        var (built, errors) = await WorkflowFile.LoadAsync(Samples.Path(sample));
        Assert.True(built is not null, string.Join("\n", errors));

        var result = await FileRuns.RunAsync(built, "{}");

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(output, result.Output!.AsText());
    }
}
