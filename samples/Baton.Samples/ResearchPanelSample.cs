namespace Baton.Samples;

/// <summary>
/// Three researchers work at once and share findings through the run's shared state; each reads
/// what the others found before concluding; they disagree; a confidence-weighted vote settles it.
/// Their searches draw on one API quota (two calls at once, 60 a minute), so one of them waits.
/// </summary>
public static class ResearchPanelSample
{
    /// <summary>The search API's quota the researchers draw on: two calls at once, 60 a minute.</summary>
    public static Dictionary<string, ResourceOptions> Resources() =>
        new() { ["search-api"] = new() { MaxConcurrency = 2, RequestsPerMinute = 60 } };

    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var runtime = new BatonRuntime(new BatonOptions { Resources = Resources() });
        var result = await RunPrinter.RunAsync(runtime, Panel(), "Should we adopt AI agents this year?", "panel-1", cancellationToken);
        return result.IsSuccess ? 0 : 1;
    }

    /// <summary>The panel: three researchers vote, weighted by confidence, then a report.</summary>
    public static Workflow Panel()
    {
        const int panelSize = 3;

        // A researcher is two steps: search and share a finding (it commits, so the others see it),
        // then conclude once every finding of the panel is in, weighing what the others found.
        static Workflow Researcher(string name, string finding, Func<string[], (string Verdict, double Confidence)> conclude) =>
            new SequentialBuilder(name)
                .Then(Agent.Create($"{name}-search", async (question, context, ct) =>
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), context.TimeProvider, ct); // the search API call
                    context.SetState("findings", $"{name}: {finding}");
                    return AgentResult.Success(question);
                }), resource: "search-api")
                .Then(Agent.Create($"{name}-conclude", async (question, context, ct) =>
                {
                    await foreach (var change in context.WatchState("findings", ct))
                    {
                        var findings = change.Value.Get<string[]>()!;
                        if (findings.Length < panelSize) continue;
                        var (verdict, confidence) = conclude(findings);
                        context.Report("conclusion", $"{name} read {findings.Length} findings and says '{verdict}' ({confidence:0.00})");
                        return AgentResult.Success(verdict, confidence);
                    }

                    throw new OperationCanceledException(ct);
                }))
                .Build();

        var panel = new WorkflowBuilder("research-panel")
            .DeclareState("findings", StateReducer.Append)
            .AddStep(new VoteBuilder("vote")
                .Voter("optimist", Researcher("optimist", "pilots cut support time by 30%", _ => ("adopt", 0.6)))
                .Voter("skeptic", Researcher("skeptic", "two pilots failed on cost",
                    findings => ("wait", findings.Any(f => f.Contains("costs fall", StringComparison.Ordinal)) ? 0.7 : 0.95)))
                .Voter("analyst", Researcher("analyst", "costs fall 20% a year", _ => ("adopt", 0.55)))
                .Strategy(VoteStrategy.Weighted) // adopt: 0.60 + 0.55 = 1.15 against wait: 0.70
                .TallyTo("tally")
                .BuildStep())
            .AddStep(Agent.Create("report", (verdict, context) =>
                AgentResult.Success($"verdict: {verdict}; tally: {context.State.Get<System.Text.Json.JsonElement>("tally")}")))
            .AddEdge("vote", "report")
            .Build();
        return panel;
    }
}
