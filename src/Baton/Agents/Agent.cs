namespace Baton;

/// <summary>Makes agents from functions.</summary>
public static class Agent
{
    /// <summary>An agent that runs <paramref name="invoke"/>.</summary>
    public static IAgent Create(string name, Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>> invoke)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(invoke);
        return new FunctionAgent(name, invoke);
    }

    /// <summary>An agent that computes its result synchronously, with the step's context (state, attempt, publishing).</summary>
    public static IAgent Create(string name, Func<Payload, IStepContext, AgentResult> invoke)
    {
        ArgumentNullException.ThrowIfNull(invoke);
        return Create(name, (input, context, _) => new ValueTask<AgentResult>(invoke(input, context)));
    }

    /// <summary>An agent that maps its input to an output synchronously.</summary>
    public static IAgent Create(string name, Func<Payload, Payload> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Create(name, (input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(map(input))));
    }

    /// <summary>An agent that maps its input to an output asynchronously.</summary>
    public static IAgent Create(string name, Func<Payload, CancellationToken, Task<Payload>> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Create(name, async (input, _, ct) => AgentResult.Success(await map(input, ct).ConfigureAwait(false)));
    }

    /// <summary>An agent that returns its input unchanged.</summary>
    public static IAgent Identity(string name) => Create(name, static (input, _, _) => new ValueTask<AgentResult>(AgentResult.Success(input)));

    private sealed class FunctionAgent(string name, Func<Payload, IStepContext, CancellationToken, ValueTask<AgentResult>> invoke) : IAgent
    {
        public string Name => name;

        public ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken) =>
            invoke(input, context, cancellationToken);

        public override string ToString() => name;
    }
}
