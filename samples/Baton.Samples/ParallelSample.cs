namespace Baton.Samples;

/// <summary>
/// Fan-out / fan-in, two ways. First a fixed split: three specialists review the same launch
/// plan at once, their answers are merged by branch name, and an editor summarises them.
/// Then a foreach: a decomposer splits a question into sub-questions, a worker answers each
/// at once, and a custom merge numbers the answers in item order.
/// </summary>
public static class ParallelSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        await using var runtime = new BatonRuntime();

        // 1. Three specialists, merged by name into { market, tech, legal }, then summarised.
        var market = Agent.Create("market", plan => $"demand is strong for {plan}");
        var tech = Agent.Create("tech", plan => "the API can take 10x the load");
        var legal = Agent.Create("legal", plan => "terms need an update in the EU");
        var editor = Agent.Create("editor", reviews =>
        {
            var r = reviews.Get<Dictionary<string, string>>()!;
            return $"Go, if legal signs off: {r["market"]}; {r["tech"]}; {r["legal"]}.";
        });

        var review = new SequentialBuilder("launch-review")
            .Then(new ParallelBuilder("specialists").Branch(market).Branch(tech).Branch(legal).MergeWith(Merge.ByName).BuildStep())
            .Then(editor)
            .Build();
        var reviewed = await RunPrinter.RunAsync(runtime, review, "the v2 launch", "parallel-1", cancellationToken);
        Console.WriteLine();

        // 2. foreach: the decomposer returns a JSON array; each item runs the worker at once.
        var decomposer = Agent.Create("split", question => Payload.From(new[]
        {
            $"who uses {question}?",
            $"what does {question} cost?",
            $"what can go wrong with {question}?",
        }));
        var worker = Agent.Create("answer", item => $"answer to '{item}'");
        var numbered = Merge.Custom(branches => string.Join(" | ", branches.Select(b => $"{b.Index + 1}. {b.Output}")), "numbered");

        var research = ParallelBuilder.ForEach("sub-questions", decomposer, worker, numbered);
        var answered = await RunPrinter.RunAsync(runtime, research, "agent orchestration", "parallel-2", cancellationToken);

        return reviewed.IsSuccess && answered.IsSuccess ? 0 : 1;
    }
}
