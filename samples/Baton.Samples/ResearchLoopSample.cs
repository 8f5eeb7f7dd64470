namespace Baton.Samples;

/// <summary>
/// A state machine that loops: research adds a finding, analysis rates how sure it is, and the
/// machine goes back to research while confidence is below 0.7, then writes. Findings live in
/// the run's state, appended by a reducer. The step limit (1000 by default) bounds any loop.
/// </summary>
public static class ResearchLoopSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var research = Agent.Create("researcher", (topic, context, ct) =>
        {
            // The first round gets the topic; later rounds get the analyst's output, so keep the topic in state.
            var round = (context.State.Get<string[]>("findings")?.Length ?? 0) + 1;
            if (round == 1) context.SetState("topic", topic);
            var finding = $"finding {round} on {context.State.Get<string>("topic") ?? topic.AsText()}";
            context.SetState("findings", finding); // the append reducer adds it to the list
            return ValueTask.FromResult(AgentResult.Success(finding));
        });

        var analyze = Agent.Create("analyst", (finding, context, ct) =>
        {
            var count = context.State.Get<string[]>("findings")!.Length;
            var confidence = Math.Min(1.0, 0.3 * count);
            return ValueTask.FromResult(AgentResult.Success($"{count} finding(s), confidence {confidence:0.0}", confidence));
        });

        var write = Agent.Create("writer", (analysis, context, ct) =>
        {
            var findings = context.State.Get<string[]>("findings")!;
            return ValueTask.FromResult(AgentResult.Success($"Report from {string.Join(", ", findings)}"));
        });

        var machine = new StateMachineBuilder("research-loop")
            .DeclareState("findings", StateReducer.Append)
            .State("research", research)
            .State("analyze", analyze)
            .State("write", write)
            .Transition("research", "analyze")
            .Transition("analyze", "research", when: o => o.Confidence < 0.7, label: "confidence < 0.7")
            .Transition("analyze", "write") // tried after the one above: first match wins
            .Transition("write", StateMachineBuilder.End)
            .Build();

        Console.WriteLine(machine.ToMermaid());
        await using var runtime = new BatonRuntime();
        var result = await RunPrinter.RunAsync(runtime, machine, "AI agents", "research-loop-1", cancellationToken);
        return result.IsSuccess ? 0 : 1;
    }
}
