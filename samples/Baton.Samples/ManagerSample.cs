namespace Baton.Samples;

/// <summary>
/// Hierarchical manager-worker: the manager classifies each request as code, research or math
/// and routes it to a specialist; a quality check validates every answer. The junior coder's
/// answer has no test, so it is rejected and the senior coder takes over, seeing why.
/// </summary>
public static class ManagerSample
{
    public static async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        // Specialists receive a RouteTask: the original task, the route, the attempt and earlier rejections.
        var juniorCoder = Agent.Create("junior-coder", brief => "def reverse(s): return s[::-1]");
        var seniorCoder = Agent.Create("senior-coder", brief =>
        {
            var task = brief.Get<RouteTask>()!;
            var why = task.Rejections.Count > 0 ? $" (fixing: {task.Rejections[^1].Reason})" : "";
            return $"def reverse(s): return s[::-1]  # test: assert reverse('ab') == 'ba'{why}";
        });
        var researcher = Agent.Create("researcher", brief => $"3 sources on '{brief.Get<RouteTask>()!.Task}' agree: yes");
        var mathematician = Agent.Create("mathematician", brief =>
        {
            var numbers = brief.Get<RouteTask>()!.Task.AsText().Split(' ').Where(w => int.TryParse(w, out _)).Select(int.Parse).ToArray();
            return $"{numbers[0]} * {numbers[1]} = {numbers[0] * numbers[1]}";
        });

        var manager = new ManagerWorkerBuilder("manager")
            .Classify(request => request.AsText() switch
            {
                var t when t.Contains("function") => "code",
                var t when t.Contains('*') => "math",
                _ => "research",
            })
            .Route("code", juniorCoder, seniorCoder) // tried in this order when an answer is rejected
            .Route("research", researcher)
            .Route("math", mathematician)
            .Validate(answer => answer.Route == "code" && !answer.Output.AsText().Contains("test") ? "code without a test" : null)
            .Build();

        await using var runtime = new BatonRuntime();
        string[] requests = ["Write a function that reverses a string", "Is Rust faster than Go", "What is 17 * 23"];
        var succeeded = 0;
        for (var i = 0; i < requests.Length; i++)
        {
            if (i > 0) Console.WriteLine();
            var result = await RunPrinter.RunAsync(runtime, manager, requests[i], $"manager-{i + 1}", cancellationToken);
            if (result.IsSuccess) succeeded++;
        }

        return succeeded == requests.Length ? 0 : 1;
    }
}
