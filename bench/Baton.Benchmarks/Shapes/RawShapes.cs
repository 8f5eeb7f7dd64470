namespace Baton.Benchmarks.Shapes;

/// <summary>
/// The floor: the same agents Baton runs, called with plain awaits and <see cref="Task.WhenAll(Task[])"/>,
/// with no engine, journal or events. What Baton costs is its time minus this.
/// </summary>
public static class RawShapes
{
    /// <summary>Each agent's output is the next one's input.</summary>
    public static async Task<Payload> ChainAsync(IAgent[] agents, Payload input)
    {
        foreach (var agent in agents)
        {
            input = (await agent.InvokeAsync(input, DirectContext.Instance, CancellationToken.None).ConfigureAwait(false)).Output;
        }

        return input;
    }

    /// <summary>Every worker gets the input at once; the results come back in worker order.</summary>
    public static async Task<AgentResult[]> FanOutAsync(IAgent[] workers, Payload input)
    {
        var tasks = new Task<AgentResult>[workers.Length];
        for (var i = 0; i < workers.Length; i++) tasks[i] = workers[i].InvokeAsync(input, DirectContext.Instance, CancellationToken.None).AsTask();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Counts with <paramref name="count"/>, passes through <paramref name="check"/>, until the number reaches <paramref name="iterations"/>.</summary>
    public static async Task<Payload> LoopAsync(IAgent count, IAgent check, int iterations)
    {
        var value = Payload.From(0);
        while (true)
        {
            value = (await count.InvokeAsync(value, DirectContext.Instance, CancellationToken.None).ConfigureAwait(false)).Output;
            value = (await check.InvokeAsync(value, DirectContext.Instance, CancellationToken.None).ConfigureAwait(false)).Output;
            if (value.Get<int>() >= iterations) return value;
        }
    }

    /// <summary>A chain of agents beside a single one; returns when both are done.</summary>
    public static async Task<Payload> UnevenAsync(IAgent[] chain, IAgent single, Payload input)
    {
        var first = ChainAsync(chain, input);
        var second = single.InvokeAsync(input, DirectContext.Instance, CancellationToken.None).AsTask();
        await Task.WhenAll(first, second).ConfigureAwait(false);
        return first.Result;
    }
}
