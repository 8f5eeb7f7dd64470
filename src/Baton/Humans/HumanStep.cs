namespace Baton;

/// <summary>
/// Asks a person (its input is a <see cref="HumanQuestion"/>) and outputs the answer. It holds no
/// concurrency slot while it waits, and its answer is journaled like any step's output.
/// </summary>
internal sealed class HumanStep(string id) : Step(id)
{
    internal override async ValueTask<AgentResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        var question = context.Input.Get<HumanQuestion>()
            ?? throw new InvalidOperationException($"step '{Id}' needs a question to ask");
        var answer = await context.AskAsync(context.Key, question, cancellationToken).ConfigureAwait(false);
        return AgentResult.Success(Payload.FromText(answer));
    }
}
