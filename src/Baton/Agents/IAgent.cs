namespace Baton;

/// <summary>
/// Anything that takes an input and returns a result: a model with instructions and tools, a
/// C# function, or a whole workflow. Agents are stateless between calls; their memory lives in the run.
/// </summary>
public interface IAgent
{
    /// <summary>The agent's name, as it appears in graphs, journals and traces.</summary>
    string Name { get; }

    /// <summary>Runs the agent once.</summary>
    /// <param name="input">The step's input.</param>
    /// <param name="context">What the agent may do in the run: read and write state, publish, report.</param>
    /// <param name="cancellationToken">Cancelled when the run is cancelled, the deadline passes or the step times out.</param>
    ValueTask<AgentResult> InvokeAsync(Payload input, IStepContext context, CancellationToken cancellationToken);
}
